/**
 * likeness/train (placeholder until the folder is built).
 *
 * @module
 */
export {};
