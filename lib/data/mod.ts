/**
 * likeness/data (placeholder until the folder is built).
 *
 * @module
 */
export {};
