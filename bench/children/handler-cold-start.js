// Child process of the cold-start benchmark: a fresh Node.js process that loads the bundled
// handler and serves its first event, as a new Lambda container would. The emulators' endpoints
// and credentials come from the environment (AWS_ENDPOINT_URL_APPFABRIC, ...).
//
//   node handler-cold-start.js <bundle index.js> '<json event>'
//
// Plain JavaScript so that nothing but the handler is loaded. It also times, inside the event,
// what the handler spends in @aws-sdk/* modules: their require() calls and the first send() of
// each SDK client, by wrapping Module.prototype.require (a function call per require; no change
// in behaviour).
'use strict';
const scriptStartMs = performance.now(); // ms since the process started
const fs = require('fs');
const Module = require('module');

const sdk = { requireMs: 0, firstSendMs: 0, clientsSent: new Set() };

function observeAwsSdk() {
  const originalRequire = Module.prototype.require;
  let depth = 0;
  Module.prototype.require = function timedRequire(id) {
    if (depth > 0 || !String(id).startsWith('@aws-sdk/')) return originalRequire.apply(this, arguments);
    depth++;
    const startMs = performance.now();
    try {
      const exported = originalRequire.apply(this, arguments);
      wrapFirstSend(exported);
      return exported;
    } finally {
      sdk.requireMs += performance.now() - startMs;
      depth--;
    }
  };
}

/** Times the first send() of each SDK client class the module exports. */
function wrapFirstSend(exported) {
  for (const [name, value] of Object.entries(exported)) {
    if (!/Client$/.test(name) || typeof value !== 'function' || typeof value.prototype?.send !== 'function' || value.prototype.send.benchWrapped) continue;
    const originalSend = value.prototype.send;
    const wrapped = async function timedSend() {
      if (sdk.clientsSent.has(name)) return originalSend.apply(this, arguments);
      sdk.clientsSent.add(name);
      const startMs = performance.now();
      try {
        return await originalSend.apply(this, arguments);
      } finally {
        sdk.firstSendMs += performance.now() - startMs;
      }
    };
    wrapped.benchWrapped = true;
    value.prototype.send = wrapped;
  }
}

async function serveFirstEvent(bundlePath, event) {
  console.log = () => undefined; // CloudWatch Logs in Lambda; not the subject here
  observeAwsSdk();
  // CloudFormation's side: the handler PUTs its answer to the event's ResponseURL.
  const answers = [];
  const server = require('http').createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => { answers.push(JSON.parse(Buffer.concat(chunks).toString('utf8'))); res.end(); });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  event.ResponseURL = `http://127.0.0.1:${server.address().port}/answer`;
  const requireStartMs = performance.now();
  const { handler } = require(bundlePath);
  const requireEndMs = performance.now();
  const end = Date.now() + 5 * 60_000;
  await handler(event, { getRemainingTimeInMillis: () => end - Date.now() });
  const eventEndMs = performance.now();
  const response = answers[0];
  if (!response || response.Status !== 'SUCCESS') throw new Error(`the handler answered ${JSON.stringify(response)}`);
  fs.writeSync(1, `@@bench-result ${JSON.stringify({
    scriptStartMs,
    requireBundleMs: requireEndMs - requireStartMs,
    firstEventMs: eventEndMs - requireEndMs,
    sdkRequireMs: sdk.requireMs,
    sdkFirstSendMs: sdk.firstSendMs,
    processStartToResponseMs: eventEndMs,
    physicalResourceId: response.PhysicalResourceId,
  })}\n`);
}

serveFirstEvent(process.argv[2], JSON.parse(process.argv[3])).then(
  // Exit at once, as a Lambda container freezes after answering: no waiting for idle sockets.
  () => process.exit(0),
  (error) => {
    fs.writeSync(2, `${(error && error.stack) || error}\n`);
    process.exit(1);
  },
);
