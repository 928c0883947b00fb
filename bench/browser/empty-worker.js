// The baseline for worker-ready time: a module worker that does nothing.
postMessage("ready");
