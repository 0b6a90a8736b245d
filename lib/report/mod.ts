/**
 * likeness/report (placeholder until the folder is built).
 *
 * @module
 */
export {};
