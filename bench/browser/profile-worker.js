// The README's runtime worker with start-up marks (profile-marks.js,
// imported first so that it evaluates before the package).
import { evaluated } from "./profile-marks.js";
import { exposeRuntime } from "@rkat/web/worker";

exposeRuntime();
evaluated();
