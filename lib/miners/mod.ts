/**
 * likeness/miners (placeholder until the folder is built).
 *
 * @module
 */
export {};
