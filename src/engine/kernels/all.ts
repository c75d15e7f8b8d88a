// Registers every kernel family (side-effect imports).
import "./state.js";
