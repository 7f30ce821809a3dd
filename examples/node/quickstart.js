#!/usr/bin/env node
// A first integration with ratingd in Node.js (@grpc/grpc-js + @grpc/proto-loader).
//
// It records a review, reads a rating with its explanation, reads a refusal's
// google.rpc.ErrorInfo (AIP-193) and follows the log with Subscribe, resuming from a
// checkpoint. Environment: RATINGD_ADDRESS (host:port), RATINGD_TOKEN (an admin bearer
// token), RATING_PROTO_DIR (the repository's proto/ directory).
//
// Exits 0 when every step behaved as documented (docs/INTEGRATING.md), 1 otherwise.
'use strict';

const crypto = require('crypto');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const address = process.env.RATINGD_ADDRESS;
const token = process.env.RATINGD_TOKEN;
const protoDir = process.env.RATING_PROTO_DIR;

const definition = protoLoader.loadSync(path.join(protoDir, 'rating/v1/api.proto'), {
  includeDirs: [protoDir, '/usr/include'],
  keepCase: true,
  enums: String,
  longs: Number,
  defaults: true,
  oneofs: true,
});
const v1 = grpc.loadPackageDefinition(definition).rating.v1;

// google.rpc.Status and its details, decoded with protobufjs from the vendored protos.
const rpcRoot = new protobuf.Root();
rpcRoot.resolvePath = (origin, target) => {
  const local = path.join(protoDir, target);
  return require('fs').existsSync(local) ? local : path.join('/usr/include', target);
};
rpcRoot.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto']);
const RpcStatus = rpcRoot.lookupType('google.rpc.Status');
const detailTypes = {
  'type.googleapis.com/google.rpc.ErrorInfo': rpcRoot.lookupType('google.rpc.ErrorInfo'),
  'type.googleapis.com/google.rpc.PreconditionFailure':
      rpcRoot.lookupType('google.rpc.PreconditionFailure'),
  'type.googleapis.com/google.rpc.BadRequest': rpcRoot.lookupType('google.rpc.BadRequest'),
  'type.googleapis.com/google.rpc.LocalizedMessage':
      rpcRoot.lookupType('google.rpc.LocalizedMessage'),
};

function check(condition, what) {
  if (!condition) throw new Error('failed: ' + what);
  console.log('ok: ' + what);
}

function md(requestId) {
  const m = new grpc.Metadata();
  m.set('authorization', 'Bearer ' + token);
  m.set('x-request-id', requestId || crypto.randomUUID());
  return m;
}

function call(client, method, request, metadata) {
  return new Promise((resolve, reject) => {
    client[method](request, metadata || md(), (error, reply) => error ? reject(error) : resolve(reply));
  });
}

// The details of a refusal: { ErrorInfo, PreconditionFailure, BadRequest, LocalizedMessage }.
function refusalDetails(error) {
  const bins = error.metadata ? error.metadata.get('grpc-status-details-bin') : [];
  if (bins.length === 0) return null;
  const status = RpcStatus.decode(bins[0]);
  const out = {};
  for (const any of status.details) {
    const type = detailTypes[any.type_url || any.typeUrl];
    if (type) out[type.name] = type.decode(any.value);
  }
  return out;
}

// Reads a Subscribe stream from `after` until a checkpoint at `until` or later (or the first).
function follow(client, after, until) {
  return new Promise((resolve, reject) => {
    const entries = [];
    const metadata = new grpc.Metadata();
    metadata.set('authorization', 'Bearer ' + token);
    const stream = client.Subscribe({after_position: after}, metadata);
    let done = false;
    stream.on('data', (item) => {
      if (done) return;
      if (item.item === 'entry') {
        entries.push(item.entry);
      } else if (until === undefined || Number(item.checkpoint) >= until) {
        done = true;
        stream.cancel();
        resolve({entries, checkpoint: Number(item.checkpoint)});
      }
    });
    stream.on('error', (error) => {
      if (!done) reject(error);
    });
  });
}

async function main() {
  const creds = grpc.credentials.createInsecure();
  const registry = new v1.RegistryService(address, creds);
  const review = new v1.ReviewService(address, creds);
  const decision = new v1.DecisionService(address, creds);
  const query = new v1.QueryService(address, creds);
  const integration = new v1.IntegrationService(address, creds);

  await call(registry, 'OpenPeriod', {year: 2025});
  await call(registry, 'RegisterOrg', {id: 'c1', kind: 'ORG_KIND_GRASSROOTS_CELL', parent: 'bloc',
                                       founded_on: '2010-01-01', name: 'Chi bộ 1'});
  await call(registry, 'EnrollMember', {id: 'm1', org: 'c1', admitted_on: '2015-03-01',
                                        name: 'Nguyễn Văn A'});

  // 1. Record a review; a retry with the same request id (upper case) replays it.
  const key = crypto.randomUUID();
  const first = await call(review, 'RecordReviewCompleted', {subject: 'member/m1', year: 2025}, md(key));
  const again = await call(review, 'RecordReviewCompleted', {subject: 'member/m1', year: 2025},
                           md(key.toUpperCase()));
  check(again.replayed && Number(again.first_position) === Number(first.first_position),
        'a retry with the same request id (any case) replays the first reply');

  // 2. A rating with its explanation.
  const view = await call(query, 'GetRating', {subject: 'member/m1', year: 2025});
  for (const f of view.explanation) console.log(`  ${f.rule_id} ${f.holds ? '✓' : '✗'}: ${f.text_vi}`);
  check(view.status_name !== '' && view.explanation.length > 0,
        `GetRating explains the rating (${view.status_name})`);

  // 3. A refusal's details.
  try {
    await call(decision, 'DecideRatings',
               {year: 2025, ratings: [{subject: 'member/m1', level: 'LEVEL_HTXSNV'}]});
    check(false, 'the decision is refused');
  } catch (error) {
    check(error.code === grpc.status.FAILED_PRECONDITION, 'refused: FAILED_PRECONDITION');
    const details = refusalDetails(error);
    check(details !== null && details.ErrorInfo, 'the refusal carries an ErrorInfo');
    const info = details.ErrorInfo;
    console.log('  ErrorInfo:', info.reason, JSON.stringify(info.metadata));
    if (details.LocalizedMessage) console.log('  ' + details.LocalizedMessage.message.split('\n').join('\n  '));
    check(info.domain === 'rating.v1' && info.reason.startsWith('R-'),
          `ErrorInfo names the rule (${info.reason})`);
    const violations = details.PreconditionFailure ? details.PreconditionFailure.violations : [];
    check(violations.length > 0 && violations.every((v) => v.subject === 'member/m1'),
          'PreconditionFailure lists each broken rule and subject');
    check(details.LocalizedMessage && details.LocalizedMessage.locale === 'vi-VN',
          'a Vietnamese LocalizedMessage');
  }

  // 4. Subscribe, stop at a checkpoint, then resume from it.
  const caught = await follow(integration, 0);
  check(caught.entries.length > 0 &&
        Number(caught.entries[caught.entries.length - 1].envelope.position) === caught.checkpoint,
        `caught up to checkpoint ${caught.checkpoint}`);
  const comments = await call(review, 'RecordComments',
                              {subject: 'member/m1', year: 2025, source: 'COMMENT_SOURCE_TEMPORARY_CELL'});
  const resumed = await follow(integration, caught.checkpoint, Number(comments.last_position));
  check(resumed.entries.length === 1 &&
        Number(resumed.entries[0].envelope.position) === Number(comments.first_position),
        'resuming from the checkpoint delivers only the new event');
  console.log('node example: all steps passed');
  for (const c of [registry, review, decision, query, integration]) c.close();
}

main().then(() => process.exit(0), (error) => {
  console.error('node example failed:', error && error.stack ? error.stack : error);
  process.exit(1);
});
