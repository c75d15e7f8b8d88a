// Imported before the backends so their "install tfjs-node" banner is not printed in library use.
import * as tfc from "@tensorflow/tfjs-core";

tfc.env().set("PROD", true);
