// The page's conversation with a host page that embeds it in an iframe, by postMessage.
//
// Out, to window.parent:  {type: "gatescope:height", height}  whenever the content height
//                          changes (a two-line host script resizes the iframe with it);
//                          {type: "gatescope:ready"} once the page listens.
// In, from any origin:    {type: "gatescope:set-text", text}   {type: "gatescope:seek", t}
//                          {type: "gatescope:play"}  {type: "gatescope:pause"}
//                          {type: "gatescope:select-unit", unit}
// Incoming messages are plain data, checked field by field; anything else is ignored.
const MAX_TEXT = 5000;

const COMMANDS = {
  "gatescope:set-text": (data) => (typeof data.text === "string" && data.text.length <= MAX_TEXT ? { text: data.text } : null),
  "gatescope:seek": (data) => (Number.isInteger(data.t) && data.t >= 0 ? { t: data.t } : null),
  "gatescope:play": () => ({}),
  "gatescope:pause": () => ({}),
  "gatescope:select-unit": (data) => (Number.isInteger(data.unit) && data.unit >= 0 ? { unit: data.unit } : null),
};

// A valid command {type, ...fields}, or null.
export function parseCommand(data) {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return null;
  const check = Object.hasOwn(COMMANDS, data.type) ? COMMANDS[data.type] : null;
  const fields = check?.(data);
  return fields ? { type: data.type, ...fields } : null;
}

export function connectHost(actions) {
  window.addEventListener("message", (event) => {
    const command = parseCommand(event.data);
    if (!command) return;
    const { type, ...fields } = command;
    actions[type.slice("gatescope:".length)]?.(fields);
  });
  if (window.parent === window) return;
  let last = 0;
  const report = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ type: "gatescope:height", height }, "*");
    }
  };
  new ResizeObserver(report).observe(document.documentElement);
  window.parent.postMessage({ type: "gatescope:ready" }, "*");
  report();
}
