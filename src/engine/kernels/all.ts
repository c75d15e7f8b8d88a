// Registers every kernel family (side-effect imports).
import "./creation.js";
import "./state.js";
