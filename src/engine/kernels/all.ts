// Registers every kernel family (side-effect imports).
import "./array.js";
import "./array-index.js";
import "./control.js";
import "./creation.js";
import "./data-flow.js";
import "./io.js";
import "./math.js";
import "./math-reduce.js";
import "./nn.js";
import "./state.js";
import "./count-up-to.js";
import "./training.js";
import "./training-adaptive.js";
import "./save-restore.js";
import "./accumulator.js";
import "./summary.js";
import "./parse-example.js";
