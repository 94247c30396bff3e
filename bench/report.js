'use strict';
/** bench/RESULTS.md from bench/results.json (bench/analysis.md appended as it is). */
const fs = require('fs');
const path = require('path');

const n = (value, digits = 0) =>
	value === null || value === undefined
		? 'n/a'
		: Number(value).toLocaleString('en-US', {
				minimumFractionDigits: digits,
				maximumFractionDigits: digits,
			});
const s = (ms) => `${n(ms / 1000, 2)} s`;
const mb = (kb) => `${n(kb / 1024)} MB`;
const x = (ratio) => `${n(ratio, 2)} ×`;
const verdict = (ok) => (ok === null ? '—' : ok ? '**met**' : '**missed**');

function targets(r) {
	const rows = [];
	if (r.sync) {
		const { summary: sm, ratios, minimumRequests, dossiers } = r.sync;
		const pkg = sm.packageSimplified;
		const pkgRaw = sm.packageRaw;
		rows.push([
			`Full sync requests = ⌈N/100⌉ (N = ${n(dossiers)})`,
			`${minimumRequests}`,
			`${pkg.requests} (simplify on), ${pkgRaw.requests} (off)`,
			verdict(pkg.requests === minimumRequests && pkgRaw.requests === minimumRequests),
		]);
		rows.push([
			'Package wall ≤ 1.10 × raw loop',
			'≤ 1.10 ×',
			`${x(ratios.packageSimplified.wallVsRaw)} (simplify on), ${x(ratios.packageRaw.wallVsRaw)} (off)`,
			verdict(ratios.packageSimplified.wallVsRaw <= 1.1 && ratios.packageRaw.wallVsRaw <= 1.1),
		]);
		rows.push([
			'Package wall ≤ peer (graphql-request loop)',
			'≤ 1.00 ×',
			`${x(ratios.packageSimplified.wallVsPeer)} (simplify on), ${x(ratios.packageRaw.wallVsPeer)} (off)`,
			verdict(ratios.packageSimplified.wallVsPeer <= 1 && ratios.packageRaw.wallVsPeer <= 1),
		]);
		rows.push([
			'Package peak RSS ≤ 2 × peer',
			'≤ 2.00 ×',
			`${x(ratios.packageSimplified.rssVsPeer)} (simplify on), ${x(ratios.packageRaw.rssVsPeer)} (off)`,
			verdict(ratios.packageSimplified.rssVsPeer <= 2 && ratios.packageRaw.rssVsPeer <= 2),
		]);
	}
	if (r.idlePoll) {
		const events = Object.entries(r.idlePoll.events);
		rows.push([
			'Idle poll = 1 request',
			'1',
			events.map(([event, e]) => `${event}: ${n(e.requestsPerPoll, 2)}`).join(', '),
			verdict(events.every(([, e]) => e.requestsPerPoll <= 1)),
		]);
	}
	if (r.files) {
		rows.push([
			`Single dossier, ${n(r.files.files)} × 1 MiB: throughput ≥ 0.8 × the raw loop that streams to disk and checks the MD5`,
			'≥ 0.80 ×',
			`${x(r.files.ratios.packageDefaultVsRawToDisk4)} (4 parallel vs raw 4 to disk + MD5); against a raw fetch to memory that checks nothing: ${x(r.files.ratios.packageDefaultVsRaw4)} (4 vs 4), ${x(r.files.ratios.package16VsRaw16)} (16 vs 16)`,
			verdict(r.files.ratios.packageDefaultVsRawToDisk4 >= 0.8),
		]);
	}
	if (r.export) {
		const e = r.export;
		const apiRequests = e.rounds.map((rnd) => rnd.package.apiRequests);
		rows.push([
			`Nightly export (${n(e.dossiers)} dossiers, ${n(e.files)} files): API requests = ⌈${e.dossiers}/100⌉ for the listing + 0 for the downloads`,
			`${e.minimumApiRequests}`,
			`${apiRequests.join(', ')} (each round)`,
			verdict(apiRequests.every((count) => count === e.minimumApiRequests)),
		]);
		rows.push([
			'Nightly export: wall ≤ 1.25 × the raw loop (same listing, files in parallel to disk, MD5 checked)',
			'≤ 1.25 ×',
			x(e.ratios.packageVsRaw),
			verdict(e.ratios.packageVsRaw <= 1.25),
		]);
		rows.push([
			"Nightly export: ≥ 2 × faster than n8n's HTTP Request node fetching the same URLs",
			'≤ 0.50 × its wall',
			`${x(e.ratios.packageVsHttpNode)} its wall (${n(1 / e.ratios.packageVsHttpNode, 2)} × faster)`,
			verdict(e.ratios.packageVsHttpNode <= 0.5),
		]);
	}
	if (r.bigFile) {
		const b = r.bigFile;
		rows.push([
			`One file of ${n(b.bytes / 1024 / 1024)} MiB: peak RSS grows by less than 100 MB`,
			'< 100 MB',
			`${mb(b.maxGrowthKb)} (largest of ${b.rounds.length} rounds; raw loop ${mb(b.summary.rawToDisk.rssGrowthKb)})`,
			verdict(b.maxGrowthKb < 100 * 1024),
		]);
	}
	if (r.paced) {
		rows.push([
			`Sync at the platform's pace (${r.paced.answerDelayMs} ms per answer, ${n(r.paced.dossiers)} dossiers): package wall ≤ 0.9 × the graphql-request loop`,
			'≤ 0.90 ×',
			x(r.paced.ratios.packageVsPeer),
			verdict(r.paced.ratios.packageVsPeer <= 0.9),
		]);
	}
	if (r.throttle) {
		const t = r.throttle.summary;
		rows.push([
			`Throttled sync ≤ 1.2 × theoretical minimum (${r.throttle.throttle.limit} requests / ${r.throttle.throttle.periodSeconds} s)`,
			'≤ 1.20 ×',
			`${x(t.ratio)} (${s(t.wallMs)} vs ${s(t.minimumMs)})`,
			verdict(t.ratio <= 1.2),
		]);
		rows.push([
			'Throttled sync: dossiers lost',
			'0',
			`${r.throttle.maxLost} (worst run)`,
			verdict(r.throttle.maxLost === 0),
		]);
	}
	if (r.writes) {
		const w = r.writes.summary;
		rows.push([
			`Writes: ≤ 1 lookup per distinct dossier or groupe per execution (${n(r.writes.items)} accept, ${r.writes.distinctDossiers} dossiers, ${r.writes.distinctGroupes} groupes)`,
			`≤ 1 per dossier; minimum ${n(w.minimumRequests)} requests`,
			`${n(w.requests)} requests: ${n(w.mutations)} mutations + ${n(w.lookups)} lookup(s); at most ${w.maxLookupsPerDossier} per dossier`,
			verdict(
				w.maxLookupsPerDossier <= 1 &&
					w.lookups <= Math.min(r.writes.distinctDossiers, r.writes.distinctGroupes + 1),
			),
		]);
	}
	return rows;
}

const table = (header, rows) =>
	[
		`| ${header.join(' | ')} |`,
		`|${header.map(() => '---').join('|')}|`,
		...rows.map((row) => `| ${row.join(' | ')} |`),
	].join('\n');

/** One row per variant: `columns` are [header, (figures) => cell], `rows` [label, figures]. */
const variantTable = (columns, rows) =>
	table(
		['Variant', ...columns.map(([header]) => header)],
		rows.filter(([, v]) => v).map(([label, v]) => [label, ...columns.map(([, cell]) => cell(v))]),
	);

const WALL = ['Wall', (v) => s(v.wallMs)];
const THROUGHPUT = ['Throughput', (v) => `${n(v.mbPerS, 1)} MB/s`];
const CPU = ['Client CPU', (v) => s(v.cpuMs)];

/** Wall ratios as a table: [[label, ratio], ...]. */
const wallRatios = (rows) =>
	table(
		['Ratio (median of per-round ratios)', 'Wall'],
		rows.map(([label, ratio]) => [label, x(ratio)]),
	);

function render(r) {
	const m = r.machine;
	const out = [];
	out.push('# Benchmarks (issues 8 and 17)', '');
	out.push(
		`Produced by \`npm run bench\` on ${m.date.slice(0, 10)} (${m.date}). Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGb} GB RAM, ${m.platform}; load average ${m.loadAverageAtStart.join(' / ')} at start, ${m.loadAverageAtEnd.join(' / ')} at end (the machine is shared). Node ${m.node}; n8n-nodes-demarche-numerique ${m.package}, n8n-core ${m.n8nCore}, n8n-workflow ${m.n8nWorkflow}, graphql-request ${m.graphqlRequest}. Each figure is the median of ${m.runs} runs; ratios are taken within one round, then their median. Total wall: ${m.totalWallSeconds} s.`,
		'',
	);
	out.push('## Targets', '', table(['Target', 'Wanted', 'Measured', 'Verdict'], targets(r)), '');
	if (r.sync) {
		const { summary: sm } = r.sync;
		out.push(
			`## 1. Full sync: démarche ${r.sync.demarche}, ${n(r.sync.dossiers)} dossiers`,
			'',
			'Every variant sends the same document (dossier.getMany\'s default `include`) in pages of 100 and keeps every dossier in memory. Each runs in its own Node process; "RSS before" is after loading its modules.',
			'',
			table(
				[
					'Variant',
					'Wall',
					'Client CPU',
					'Sandbox CPU',
					'Sandbox time answering',
					'Requests',
					'Bytes received',
					'Peak RSS',
					'RSS before',
				],
				[
					['(a) raw loop: fetch + JSON.parse', sm.raw],
					['(b) peer: graphql-request loop', sm.peer],
					['package getMany, simplify on (n8n engine)', sm.packageSimplified],
					['package getMany, simplify off (n8n engine)', sm.packageRaw],
				].map(([label, v]) => [
					label,
					s(v.wallMs),
					s(v.cpuMs),
					s(v.sandboxCpuMs),
					s(v.serverMs),
					n(v.requests),
					`${n(v.bytes / 1e6, 1)} MB`,
					mb(v.maxRssKb),
					mb(v.rssBeforeKb),
				]),
			),
			'',
			table(
				['Ratio (median of per-round ratios)', 'Wall', 'Client CPU', 'Peak RSS'],
				[
					[
						'package simplify on / raw',
						x(r.sync.ratios.packageSimplified.wallVsRaw),
						x(r.sync.ratios.packageSimplified.cpuVsRaw),
						'—',
					],
					[
						'package simplify on / peer',
						x(r.sync.ratios.packageSimplified.wallVsPeer),
						x(r.sync.ratios.packageSimplified.cpuVsPeer),
						x(r.sync.ratios.packageSimplified.rssVsPeer),
					],
					[
						'package simplify off / raw',
						x(r.sync.ratios.packageRaw.wallVsRaw),
						x(r.sync.ratios.packageRaw.cpuVsRaw),
						'—',
					],
					[
						'package simplify off / peer',
						x(r.sync.ratios.packageRaw.wallVsPeer),
						x(r.sync.ratios.packageRaw.cpuVsPeer),
						x(r.sync.ratios.packageRaw.rssVsPeer),
					],
					['peer / raw', x(r.sync.ratios.peer.wallVsRaw), x(r.sync.ratios.peer.cpuVsRaw), '—'],
				],
			),
			'',
		);
	}
	if (r.idlePoll) {
		out.push(
			`## 2. Idle poll (trigger on démarche ${r.idlePoll.demarche}, nothing new)`,
			'',
			table(
				['Event', 'Requests per poll', 'Time per poll (median)', 'Operations', 'Items emitted'],
				Object.entries(r.idlePoll.events).map(([event, e]) => [
					event,
					n(e.requestsPerPoll, 2),
					`${n(e.msPerPoll, 1)} ms`,
					e.operations.join(', '),
					n(e.emitted),
				]),
			),
			'',
		);
	}
	if (r.files) {
		const f = r.files.summary;
		out.push(
			`## 3. Attachments of one dossier: ${n(r.files.files)} message attachments of dossier ${r.files.dossier} (1 MiB each)`,
			'',
			variantTable(
				[
					WALL,
					THROUGHPUT,
					CPU,
					['Storage requests', (v) => n(v.storageRequests)],
					['API requests', (v) => n(v.apiRequests)],
					['Peak RSS', (v) => mb(v.maxRssKb)],
				],
				[
					['package downloadFiles, default (4 parallel)', f.packageDefault],
					['package downloadFiles, 16 parallel', f.package16],
					['raw fetch, 4 parallel', f.raw4],
					['raw fetch, 16 parallel', f.raw16],
					['raw fetch, 4 parallel, streamed to disk + MD5', f.rawToDisk4],
				],
			),
			'',
		);
	}
	if (r.throttle) {
		const t = r.throttle.summary;
		out.push(
			`## 4. Throttled sync: démarche ${r.throttle.demarche} (${n(r.throttle.dossiers)} dossiers, simple form), ${r.throttle.throttle.limit} requests per ${r.throttle.throttle.periodSeconds} s`,
			'',
			"The theoretical minimum: the pages at the unthrottled pace measured in the same round, never more than the limit per fixed window, starting at a window's start (the run is aligned on one).",
			'',
			table(
				[
					'Unthrottled wall',
					'Throttled wall',
					'Theoretical minimum',
					'Ratio',
					'Requests (429s)',
					'Lost',
				],
				[
					[
						s(t.unthrottledWallMs),
						s(t.wallMs),
						s(t.minimumMs),
						x(t.ratio),
						`${n(t.requests)} (${n(t.refused429)})`,
						n(r.throttle.maxLost),
					],
				],
			),
			'',
		);
	}
	if (r.writes) {
		const w = r.writes.summary;
		out.push(
			`## 5. Writes: ${n(r.writes.items)} \`accept\` in one execution (instructeur by e-mail)`,
			'',
			table(
				[
					'Wall',
					'Per item',
					'Requests',
					'Minimum',
					'Mutations',
					'Lookups',
					'Max lookups per dossier',
					'By operation (one run)',
				],
				[
					[
						s(w.wallMs),
						`${n(w.wallMs / r.writes.items, 1)} ms`,
						n(w.requests),
						n(w.minimumRequests),
						n(w.mutations),
						n(w.lookups),
						n(w.maxLookupsPerDossier),
						Object.entries(r.writes.operations)
							.map(([op, c]) => `${op} ${c}`)
							.join(', '),
					],
				],
			),
			'',
		);
	}
	if (r.export) {
		const e = r.export;
		const sm = e.summary;
		out.push(
			`## 6. Nightly export: ${n(e.dossiers)} dossiers updated since a date, ${n(e.files)} files (1 to 3 per dossier, 0.1 to 5 MB), ${n(e.bytes / 1e6)} MB`,
			'',
			`The package as \`examples/nightly-attachment-export.json\` uses it: Get Many (Updated Since, Return All, champs, annotations, messages and file links included) → Download Files (default sources, ${e.concurrency} parallel), in n8n's engine, binary data in filesystem mode. (a) A hand-written loop: the same listing with the smallest document that names the files, then the files ${e.concurrency} at a time with Node's fetch, each streamed to disk with its MD5 checked. (b) n8n's HTTP Request node (${e.httpRequestNode}, typeVersion 4.3, Response Format: File, every other option at its default) given one item per file URL, into n8n's binary store: its URLs are listed outside the clock, so its wall and API requests leave the listing out.`,
			'',
			variantTable(
				[
					WALL,
					THROUGHPUT,
					CPU,
					['API requests', (v) => n(v.apiRequests)],
					['Storage requests', (v) => n(v.storageRequests)],
					['Peak RSS', (v) => mb(v.maxRssKb)],
					['RSS before', (v) => mb(v.rssBeforeKb)],
				],
				[
					['package: Get Many → Download Files', sm.package],
					[`(a) raw loop: listing + fetch ${e.concurrency} at a time to disk + MD5`, sm.raw],
					["(b) n8n's HTTP Request node, one item per URL", sm.httpNode],
				],
			),
			'',
			wallRatios([
				['package / raw loop', e.ratios.packageVsRaw],
				['package / HTTP Request node', e.ratios.packageVsHttpNode],
				['HTTP Request node / raw loop', e.ratios.httpNodeVsRaw],
			]),
			'',
		);
	}
	if (r.bigFile) {
		const b = r.bigFile;
		out.push(
			`## 7. One file of ${n(b.bytes / 1024 / 1024)} MiB (dossier ${b.dossier})`,
			'',
			"Peak RSS is the larger of the process's high-water mark and RSS sampled every 50 ms during the measured run; growth is peak minus RSS when the clock started (modules loaded, warm-up done).",
			'',
			variantTable(
				[
					WALL,
					THROUGHPUT,
					CPU,
					['RSS before', (v) => mb(v.rssBeforeKb)],
					['Peak RSS', (v) => mb(Math.max(v.maxRssKb, v.peakRssDuringKb))],
					['Growth (median)', (v) => mb(v.rssGrowthKb)],
				],
				[
					['package Download Files (filesystem mode)', b.summary.package],
					['raw fetch streamed to disk + MD5', b.summary.rawToDisk],
				],
			),
			'',
			`Package wall / raw: ${x(b.ratios.packageVsRawToDisk)} (median of per-round ratios); largest growth over ${b.rounds.length} rounds: ${mb(b.maxGrowthKb)}.`,
			'',
		);
	}
	if (r.paced) {
		const p = r.paced;
		out.push(
			`## 8. Sync at the platform's pace: démarche ${p.demarche}, ${n(p.dossiers)} dossiers, ${p.answerDelayMs} ms per answer`,
			'',
			`The sandbox's pace option (a benchmark knob, sandbox/README.md) answers every GraphQL request no sooner than ${p.answerDelayMs} ms after it came in, its own work included. The same document and variants as section 1 (package simplified); ${p.pages} pages, so ${n((p.pages * p.answerDelayMs) / 1000, 1)} s is the floor for a client with one request in flight.`,
			'',
			...(p.measured
				? [
						`Measured on its own (\`BENCH_ONLY=paced BENCH_RUNS=${p.measured.runs}\`) on ${p.measured.date.slice(0, 16).replace('T', ' ')} UTC, load average ${p.measured.loadAverageAtStart.join(' / ')} at start, ${p.measured.loadAverageAtEnd.join(' / ')} at end; medians of ${p.measured.runs} rounds. "Wall − sandbox time answering" is the time no request of the client was in the sandbox's hands (receiving, parsing, preparing the next request).`,
						'',
					]
				: []),
			variantTable(
				[
					WALL,
					CPU,
					['Requests', (v) => n(v.requests)],
					[
						'Sandbox time answering (per request)',
						(v) => `${s(v.serverMs)} (${n(v.serverMs / v.requests)} ms)`,
					],
					[
						'Wall − sandbox time answering (per request)',
						(v) => {
							const ms = v.clientOnlyMs ?? v.wallMs - v.serverMs;
							return `${s(ms)} (${n(ms / v.requests)} ms)`;
						},
					],
					['Sandbox CPU', (v) => s(v.sandboxCpuMs)],
					['Peak RSS', (v) => mb(v.maxRssKb)],
				],
				[
					['(a) raw loop: fetch + JSON.parse', p.summary.raw],
					['(b) peer: graphql-request loop', p.summary.peer],
					['package getMany, simplify on (n8n engine)', p.summary.package],
				],
			),
			'',
			wallRatios([
				['package / peer', p.ratios.packageVsPeer],
				['package / raw', p.ratios.packageVsRaw],
				['peer / raw', p.ratios.peerVsRaw],
			]),
			'',
		);
	}
	const analysis = path.join(__dirname, 'analysis.md');
	if (fs.existsSync(analysis)) out.push(fs.readFileSync(analysis, 'utf8').trim(), '');
	return `${out.join('\n')}\n`;
}

module.exports = { render };

if (require.main === module) {
	const results = JSON.parse(fs.readFileSync(path.join(__dirname, 'results.json'), 'utf8'));
	fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), render(results));
}
