export * from "./dtypes.js";
export * from "./ndarray.js";
export * from "./resource-handle.js";
