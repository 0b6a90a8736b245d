/**
 * likeness/losses (placeholder until the folder is built).
 *
 * @module
 */
export {};
