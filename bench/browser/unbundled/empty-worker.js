// The floor of the unbundled figures: an empty module worker served from the same place.
postMessage("ready");
