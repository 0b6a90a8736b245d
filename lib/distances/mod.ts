/**
 * likeness/distances (placeholder until the folder is built).
 *
 * @module
 */
export {};
