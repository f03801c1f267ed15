// Child process of the cold-start benchmark: a fresh Node.js process that loads the bundled
// handler and serves its first event, as a new Lambda execution environment would. The event's
// ResponseURL, the emulators' endpoints and the credentials come from the parent, so this process
// loads nothing but the handler.
//
//   node handler-cold-start.js <bundle index.js> '<json event>'
'use strict';
const fs = require('fs');

async function serveFirstEvent(bundlePath, event) {
  console.log = () => undefined; // CloudWatch Logs in Lambda; not the subject here
  const requireStartMs = performance.now();
  const { handler } = require(bundlePath);
  const requireEndMs = performance.now();
  const end = Date.now() + 5 * 60_000;
  await handler(event, { getRemainingTimeInMillis: () => end - Date.now() });
  const eventEndMs = performance.now();
  fs.writeSync(1, `@@bench-result ${JSON.stringify({ requireBundleMs: requireEndMs - requireStartMs, firstEventMs: eventEndMs - requireEndMs })}\n`);
}

serveFirstEvent(process.argv[2], JSON.parse(process.argv[3])).then(
  // Exit at once, as a Lambda environment freezes after answering: no waiting for idle sockets.
  () => process.exit(0),
  (error) => {
    fs.writeSync(2, `${(error && error.stack) || error}\n`);
    process.exit(1);
  },
);
