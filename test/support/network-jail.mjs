// A network jail for service processes under test, preloaded with
// NODE_OPTIONS=--import=<this file>. It replaces name resolution with a table the test
// controls (no DNS query ever leaves the machine) and sits in front of every TCP connect:
// each attempt is recorded, and one to an address off the loopback range is refused
// before the socket is opened, so no packet can leave for it. The test reads the record
// to prove what the service tried to reach.
//
//   NETWORK_JAIL_HOSTS  JSON file { "name": [{ "address": "127.0.0.2", "family": 4 }] },
//                       re-read at every look-up so a test can change answers (rebinding)
//   NETWORK_JAIL_LOG    file the records are appended to, one JSON object per line
import dns from 'node:dns';
import dnsPromises from 'node:dns/promises';
import net from 'node:net';
import { syncBuiltinESMExports } from 'node:module';
import { appendFileSync, readFileSync } from 'node:fs';

const hostsFile = process.env.NETWORK_JAIL_HOSTS;
const logFile = process.env.NETWORK_JAIL_LOG;
if (!hostsFile || !logFile) throw new Error('network-jail needs NETWORK_JAIL_HOSTS and NETWORK_JAIL_LOG');

function record(entry) {
  appendFileSync(logFile, `${JSON.stringify({ ...entry, pid: process.pid, at: Date.now() })}\n`);
}

export function isLoopback(address) {
  const plain = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (plain === '::1') return true;
  const v4 = plain.startsWith('::ffff:') ? plain.slice(7) : plain;
  return net.isIPv4(v4) && v4.split('.')[0] === '127';
}

function jailError(address) {
  return Object.assign(new Error(`network jail: ${address} is off the loopback range`), { code: 'EJAILED' });
}

/** The table's answers for a name; `localhost` answers 127.0.0.1 unless the table says otherwise. */
function answersFor(hostname) {
  const table = JSON.parse(readFileSync(hostsFile, 'utf8'));
  const name = hostname.toLowerCase();
  if (table[name]) return table[name];
  if (name === 'localhost') return [{ address: '127.0.0.1', family: 4 }];
  return undefined;
}

function jailedLookup(hostname, options, callback) {
  if (typeof options === 'function') [callback, options] = [options, {}];
  if (typeof options === 'number') options = { family: options };
  options ??= {};
  const literal = net.isIP(hostname);
  let answers = literal ? [{ address: hostname, family: literal }] : answersFor(hostname);
  record({ kind: 'lookup', hostname, answers: answers ?? null });
  if (answers && options.family && options.family !== 0) answers = answers.filter((a) => a.family === Number(String(options.family).replace('IPv', '')));
  process.nextTick(() => {
    if (!answers || answers.length === 0) {
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }));
    } else if (options.all) {
      callback(null, answers);
    } else {
      callback(null, answers[0].address, answers[0].family);
    }
  });
}

dns.lookup = jailedLookup;
const promisedLookup = (hostname, options) =>
  new Promise((resolve, reject) =>
    jailedLookup(hostname, options ?? {}, (err, address, family) => {
      if (err) reject(err);
      else resolve(Array.isArray(address) ? address : { address, family });
    }),
  );
dnsPromises.lookup = promisedLookup;
dns.promises.lookup = promisedLookup;

/** The options object of any of net.Socket#connect's call forms (undefined for a Unix socket path). */
function connectOptions(args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first !== null && typeof first === 'object') return first.path ? undefined : first;
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return { port: Number(first), host: typeof args[1] === 'string' ? args[1] : 'localhost' };
  }
  return undefined;
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connect(...args) {
  const options = connectOptions(args);
  if (!options) return originalConnect.apply(this, args);
  const host = options.host ?? 'localhost';
  if (net.isIP(host)) {
    const blocked = !isLoopback(host);
    record({ kind: 'connect', address: host, port: Number(options.port), blocked });
    if (blocked) {
      process.nextTick(() => this.destroy(jailError(host)));
      return this;
    }
    return originalConnect.apply(this, args);
  }
  // A name: whatever lookup the caller chose (a pinned one, say), check what it answers.
  const innerLookup = options.lookup ?? dns.lookup;
  options.lookup = (hostname, lookupOptions, callback) => {
    if (typeof lookupOptions === 'function') [callback, lookupOptions] = [lookupOptions, {}];
    innerLookup(hostname, lookupOptions, (err, address, family) => {
      if (err) return callback(err);
      const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
      const blocked = addresses.filter((a) => !isLoopback(a));
      for (const a of addresses) record({ kind: 'connect', hostname, address: a, port: Number(options.port), blocked: !isLoopback(a) });
      if (blocked.length > 0) return callback(jailError(blocked[0]));
      callback(null, address, family);
    });
  };
  return originalConnect.apply(this, args);
};

syncBuiltinESMExports();
