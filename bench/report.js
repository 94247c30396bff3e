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
			'Attachments ≥ 0.8 × raw parallel throughput',
			'≥ 0.80 ×',
			`${x(r.files.ratios.packageDefaultVsRaw16)} (default 4 parallel vs raw 16); ${x(r.files.ratios.package16VsRaw16)} (16 vs 16); ${x(r.files.ratios.packageDefaultVsRaw4)} (4 vs 4); ${x(r.files.ratios.packageDefaultVsRawToDisk4)} (4 vs raw 4 streamed to disk with MD5)`,
			verdict(r.files.ratios.packageDefaultVsRaw16 >= 0.8),
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

function render(r) {
	const m = r.machine;
	const out = [];
	out.push('# Benchmarks (issue 8)', '');
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
			`## 3. Attachments: ${n(r.files.files)} message attachments of dossier ${r.files.dossier} (1 MiB each)`,
			'',
			table(
				[
					'Variant',
					'Wall',
					'Throughput',
					'Client CPU',
					'Storage requests',
					'API requests',
					'Peak RSS',
				],
				[
					['package downloadFiles, default (4 parallel)', f.packageDefault],
					['package downloadFiles, 16 parallel', f.package16],
					['raw fetch, 4 parallel', f.raw4],
					['raw fetch, 16 parallel', f.raw16],
					['raw fetch, 4 parallel, streamed to disk + MD5', f.rawToDisk4],
				]
					.filter(([, v]) => v)
					.map(([label, v]) => [
						label,
						s(v.wallMs),
						`${n(v.mbPerS, 1)} MB/s`,
						s(v.cpuMs),
						n(v.storageRequests),
						n(v.apiRequests),
						mb(v.maxRssKb),
					]),
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
	const analysis = path.join(__dirname, 'analysis.md');
	if (fs.existsSync(analysis)) out.push(fs.readFileSync(analysis, 'utf8').trim(), '');
	return `${out.join('\n')}\n`;
}

module.exports = { render };

if (require.main === module) {
	const results = JSON.parse(fs.readFileSync(path.join(__dirname, 'results.json'), 'utf8'));
	fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), render(results));
}
