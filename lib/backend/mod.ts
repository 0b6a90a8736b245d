/**
 * likeness/backend (placeholder until the folder is built).
 *
 * @module
 */
export {};
