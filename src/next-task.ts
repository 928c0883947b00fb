/**
 * Run `task` as a new task: after the current one and its microtasks (so
 * consumers woken meanwhile read their events first), without
 * `setTimeout`'s clamp of a millisecond or more per call. One queue for the
 * driver and the Worker's outboxes: their tasks run in the order queued.
 */
export function nextTask(task: () => void): void {
  if (typeof setImmediate === "function") {
    setImmediate(task);
    return;
  }
  if (!port) {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => queued.shift()?.();
    port = channel.port2;
  }
  queued.push(task);
  port.postMessage(0);
}

let port: MessagePort | undefined;
const queued: Array<() => void> = [];
