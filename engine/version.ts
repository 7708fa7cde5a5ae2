/** The WriteIt version, shown by `writeit --version`, the API and exports. */
export const VERSION = "0.1.0";
