// Registers every gradient function family (side-effect imports).
import "./array-grad.js";
import "./math-grad.js";
import "./reduce-grad.js";
