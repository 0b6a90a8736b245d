/**
 * likeness/branches (placeholder until the folder is built).
 *
 * @module
 */
export {};
