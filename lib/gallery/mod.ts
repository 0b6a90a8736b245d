/**
 * likeness/gallery (placeholder until the folder is built).
 *
 * @module
 */
export {};
