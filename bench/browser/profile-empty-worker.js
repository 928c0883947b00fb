// The empty module worker with the same marks as profile-worker.js.
postMessage({ profile: [["timeOrigin", performance.timeOrigin], ["evaluate", performance.timeOrigin + performance.now()]] });
