'use strict';
/**
 * The sandbox in its own process for the benchmarks (started by bench/run.js with fork(), on free
 * ports). Besides the sandbox's own request log, it taps every HTTP exchange to count the bytes
 * of each response and the GraphQL variables of each request, and reports its own CPU time: the
 * parent asks over IPC ({cmd: 'tap'|'cpu'}, answers {id, ...}).
 */
const http = require('http');

const tap = { api: newCounters(), storage: newCounters() };
let apiPort = null;

function newCounters() {
	return { requests: 0, bytesOut: 0, bytesIn: 0, entries: [] };
}

/** Wraps each server's listener to count request and response bytes without touching the sandbox. */
const createServer = http.createServer;
http.createServer = function benchCreateServer(listener) {
	return createServer.call(http, (req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		let bytesOut = 0;
		const count = (chunk, encoding) => {
			if (chunk && typeof chunk !== 'function') bytesOut += Buffer.byteLength(chunk, encoding);
		};
		const write = res.write;
		const end = res.end;
		res.write = function (chunk, encoding, ...rest) {
			count(chunk, typeof encoding === 'string' ? encoding : undefined);
			return write.call(this, chunk, encoding, ...rest);
		};
		res.end = function (chunk, encoding, ...rest) {
			count(chunk, typeof encoding === 'string' ? encoding : undefined);
			return end.call(this, chunk, encoding, ...rest);
		};
		res.on('finish', () => {
			const onApi = req.socket.localPort === apiPort;
			if (onApi && req.url.startsWith('/__sandbox')) return; // the bench's own control calls
			const counters = onApi ? tap.api : tap.storage;
			const body = Buffer.concat(chunks);
			counters.requests += 1;
			counters.bytesOut += bytesOut;
			counters.bytesIn += body.length;
			if (onApi)
				counters.entries.push({ status: res.statusCode, bytesOut, ...describeGraphql(body) });
			else counters.entries.push({ status: res.statusCode, bytesOut });
		});
		listener(req, res);
	});
};

/** operationName and the variables that name what a request is about (not whole inputs). */
function describeGraphql(body) {
	try {
		const { operationName, variables } = JSON.parse(body.toString('utf8'));
		const vars = typeof variables === 'string' ? JSON.parse(variables) : variables || {};
		const input = vars.input || {};
		return {
			operationName: operationName || null,
			number: vars.number ?? null,
			demarche: vars.demarche ?? null,
			dossierId: input.dossierId ?? null,
			after: vars.after ?? null,
		};
	} catch {
		return { operationName: null };
	}
}

async function main() {
	const { startSandbox } = require('../sandbox');
	const sb = await startSandbox({
		port: 0,
		storagePort: 0,
		size: Number(process.env.BENCH_SIZE || 1000),
	});
	apiPort = Number(new URL(sb.url).port);
	process.on('message', (message) => {
		const { id, cmd } = message;
		if (cmd === 'tap') {
			const answer = { api: tap.api, storage: tap.storage };
			if (message.reset) {
				tap.api = newCounters();
				tap.storage = newCounters();
			}
			process.send({ id, ...answer });
		} else if (cmd === 'cpu') {
			const { user, system } = process.cpuUsage();
			process.send({ id, cpuMs: (user + system) / 1000, maxRssKb: process.resourceUsage().maxRSS });
		} else if (cmd === 'stop') {
			sb.stop().then(() => process.exit(0));
		}
	});
	process.send({
		ready: true,
		url: sb.url,
		graphqlUrl: sb.graphqlUrl,
		controlUrl: sb.controlUrl,
		storageUrl: sb.storageUrl,
		tokens: sb.tokens,
		facts: sb.facts,
	});
}

main().catch((error) => {
	process.stderr.write(`bench sandbox failed: ${error.stack || error}\n`);
	process.exit(1);
});
