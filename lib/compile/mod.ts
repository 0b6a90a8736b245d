/**
 * likeness/compile (placeholder until the folder is built).
 *
 * @module
 */
export {};
