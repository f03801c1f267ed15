// Child process of the cold-start benchmark: a fresh Node.js process that loads the bundled
// handler and serves its first event, as a new Lambda execution environment would. The emulators'
// endpoints and credentials come from the environment (AWS_ENDPOINT_URL_APPFABRIC, ...).
//
//   node handler-cold-start.js <bundle index.js> '<json event>'
//
// Plain JavaScript so that nothing but the handler is loaded.
'use strict';
const fs = require('fs');
const http = require('http');

async function serveFirstEvent(bundlePath, event) {
  console.log = () => undefined; // CloudWatch Logs in Lambda; not the subject here
  // CloudFormation's side: the handler PUTs its answer to the event's ResponseURL.
  const answers = [];
  const server = http.createServer((req, res) => {
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
  const answer = answers[0];
  if (!answer || answer.Status !== 'SUCCESS') throw new Error(`the handler answered ${JSON.stringify(answer)}`);
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
