/**
 * likeness/metrics (placeholder until the folder is built).
 *
 * @module
 */
export {};
