'use strict';
/**
 * Soak: the polling trigger, one activated workflow per event kind, polled tick after tick while a
 * seeded random actor deposits, updates, changes states, adds and removes labels, deletes (purged,
 * pending, trashed by the usager then purged with a back-dated deletion, hidden by expiry then
 * purged) and makes late commits (also at activation: stamped before the first poll's origin,
 * visible after it), and two versions of one dossier within one printed second; with 5xx, timeout
 * and connection-reset faults, deterministic platform timeouts (heavy pages time out on every
 * try), rate limiting (429) and overlapping polls (a tick that fires while the last poll runs). At
 * the end, what each trigger emitted is compared with the sandbox's own event log: every event
 * once, 0 lost, 0 duplicated; for "Dossier Updated", a version the dossier left (changed again,
 * deleted) before a poll that read its lists reached it may be missing (no list ever served it).
 * The actor deletes a dossier, or purges a trashed one, only once a complete round of polls (every
 * trigger read everything, nothing deferred by the rate limit, stopped or failed) has read it: what
 * a trigger can never read is not counted against it.
 *
 * SOAK_TICKS (default 60, under a minute in `npm test`) and SOAK_SEED tune it; the full soak
 * (1 000 polls of each trigger) is `SOAK_TICKS=1000 npx jest test/engine/soak.test.js`; SOAK_DEBUG=1
 * prints each loss with the polls that met it and writes test-output/soak-trace-<seed>.json.
 * No sandbox clock tricks: the throttle's reset is on the sandbox clock, which must stay real.
 */
const { startSandbox } = require('../../sandbox');
const { activate, act, control, events } = require('./trigger-support');

const TICKS = Number(process.env.SOAK_TICKS || 60);
const SEED = Number(process.env.SOAK_SEED || 20260301);
const DEMARCHE = 1005;
const STATES = ['en_construction', 'en_instruction', 'accepte', 'refuse', 'sans_suite'];
/** A dossier is touched again only after this long: the platform prints dates to the second. */
const QUIET_MS = 1200;

jest.setTimeout(Math.max(240_000, TICKS * 1800));

function random(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const second = (iso) => Math.floor(Date.parse(iso) / 1000);

/** Multiset difference: what `a` has that `b` lacks (with multiplicity). */
function minus(a, b) {
	const counts = new Map();
	for (const key of b) counts.set(key, (counts.get(key) || 0) + 1);
	const rest = [];
	for (const key of a) {
		const n = counts.get(key) || 0;
		if (n > 0) counts.set(key, n - 1);
		else rest.push(key);
	}
	return rest;
}

/**
 * Every poll's outcome, seen at the platform boundary of sync/poll.ts: whether it read everything
 * (no stop, no failure, no list left with more pages). The actor only deletes what a complete poll
 * of every trigger has read, and the oracle only counts reads that happened. With SOAK_DEBUG, each
 * "Dossier Updated" and "Dossier Deleted" poll also keeps what each list served, each refetch and
 * what it emitted (test-output/soak-trace-<seed>.json), to explain a loss.
 */
const pollTrace = [];
{
	const pollModule = require('../../nodes/DemarcheNumerique/sync/poll');
	const { fineTimeOfCursor } = require('../../nodes/DemarcheNumerique/sync/stream');
	const original = pollModule.pollOnce;
	const detailed = (event) => process.env.SOAK_DEBUG && (event === 'dossierUpdated' || event === 'dossierDeleted');
	const brief = (connection, field) =>
		(connection?.nodes ?? []).map((row, i) => row && `${row.number}@${row[field]}.${fineTimeOfCursor(connection.edges?.[i]?.cursor) ?? '?'}`);
	pollModule.pollOnce = async (platform, settings, stored, nowMs) => {
		const event = settings.config.event;
		const entry = { event, at: new Date(nowMs).toISOString(), calls: [], more: false };
		pollTrace.push(entry);
		const traced = {
			...platform,
			fetchLists: async (request) => {
				const call = detailed(event) ? { request: JSON.stringify(request) } : {};
				if (detailed(event)) entry.calls.push(call);
				try {
					const lists = await platform.fetchLists(request);
					// whether this poll's last main request left a list with more pages
					const main = Object.keys(request.main);
					if (main.length) entry.more = main.some((name) => Boolean(lists[name]?.pageInfo?.hasNextPage));
					if (detailed(event))
						call.lists = Object.fromEntries(
							Object.entries(lists).map(([name, c]) => [name, brief(c, name.startsWith('changes') ? 'dateDerniereModification' : 'dateSupression')]),
						);
					return lists;
				} catch (error) {
					call.error = error.message;
					throw error;
				}
			},
			refetchDossiers: async (numbers) => {
				const rows = await platform.refetchDossiers(numbers);
				if (detailed(event)) entry.calls.push({ refetch: numbers, rows: rows.map((r) => `${r.number}@${r.dateDerniereModification}`) });
				return rows;
			},
		};
		try {
			const outcome = await original(traced, settings, stored, nowMs);
			if (detailed(event))
				entry.emitted = outcome.emissions.map((e) => `${e.row.number}@${e.row.dateDerniereModification ?? e.row.dateSupression}`);
			entry.stopped = outcome.stopped;
			entry.failure = outcome.failure && String(outcome.failure.message ?? outcome.failure);
			return outcome;
		} catch (error) {
			entry.thrown = error.message;
			throw error;
		} finally {
			entry.served = !entry.stopped && !entry.failure && !entry.thrown;
			entry.complete = entry.served && !entry.more;
			if (!detailed(event)) delete entry.calls;
		}
	};
}

let sb;
beforeAll(async () => {
	sb = await startSandbox({ size: 1000 });
});
afterAll(async () => {
	await sb?.stop();
});

it(`${TICKS} ticks of 4 triggers against a random actor with faults: every event once`, async () => {
	const rand = random(SEED);
	const pick = (list) => list[Math.floor(rand() * list.length)];
	const lightParts = { champs: false, annotations: false, files: false, labels: false, instructeurs: false };
	// Late commits here land 1 s behind: a 5 s window covers them; each poll re-reads its window.
	const common = { include: lightParts, options: { maxPerPoll: 10, overlapSeconds: 5 } };
	const kinds = ['dossierDeposited', 'dossierUpdated', 'dossierStateChanged', 'dossierDeleted'];
	const pollers = Object.fromEntries(kinds.map((event) => [event, activate(sb, DEMARCHE, { event, ...common })]));
	const emitted = Object.fromEntries(kinds.map((event) => [event, []]));
	const pollErrors = [];
	const startSequence = (await events(sb)).slice(-1)[0]?.sequence ?? 0;
	/** The actor's own GraphQL calls (same token as the triggers: it waits out the rate limit too). */
	const gqlAdmin = async (query, variables) => {
		for (;;) {
			const response = await fetch(sb.graphqlUrl, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sb.tokens.admin}` },
				body: JSON.stringify({ query, variables }),
			});
			if (response.status !== 429) return await response.json();
			await response.text();
			await new Promise((resolve) => setTimeout(resolve, Math.max(100, Number(response.headers.get('ratelimit-reset')) * 1000 - Date.now() + 50)));
		}
	};
	const labelId = (await gqlAdmin(`{ demarche(number: ${DEMARCHE}) { labels { id } } }`)).data.demarche.labels[0].id;

	// The actor's view of the démarche: live dossiers, their state and last touch (ms).
	const live = new Map();
	const data = await (
		await fetch(sb.graphqlUrl, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sb.tokens.admin}` },
			body: JSON.stringify({ query: `{ demarche(number: ${DEMARCHE}) { dossiers { nodes { number state } } } }` }),
		})
	).json();
	for (const d of data.data.demarche.dossiers.nodes) live.set(d.number, { state: d.state, touched: 0 });
	/** Dossiers hidden (trashed by the usager, or by expiry), to purge later: {number, at}. */
	const hidden = [];
	const labelled = new Set();

	/**
	 * After each tick: the last event committed before it (the actor never acts while triggers
	 * poll), whether "Dossier Updated" read its lists (served: no stop, no failure) and how far it has
	 * read the changes list (its cursor in memory, the position `<time>;<number>` of the last row its
	 * main list served, and its mark: the overlap list takes rows up to the end of that printed second).
	 */
	const readPositions = [];
	let lastSequence = startSequence;
	const updatedPosition = () => {
		const sync = Object.values(pollers.dossierUpdated.liveStaticData ?? {}).find((value) => value?.sync)?.sync;
		const cursor = sync?.streams?.changes?.cursor;
		if (!cursor) return null;
		const [time, number] = Buffer.from(cursor, 'base64url').toString('utf8').split(';');
		// the overlap list also takes rows up to the end of the mark's printed second
		return { time: Date.parse(time), number: Number(number), mark: sync.streams.changes.mark };
	};

	/**
	 * One tick of every trigger, concurrently (as n8n runs separate workflows). True when every
	 * trigger's poll read everything committed before it (a poll deferred by the rate limit, stopped,
	 * failed, left pages for later or found the last poll still running is not complete).
	 */
	async function pollAll() {
		const committed = (await events(sb, lastSequence)).slice(-1)[0]?.sequence ?? lastSequence;
		lastSequence = committed;
		const outcomes = await Promise.all(
			kinds.map(async (event) => {
				const from = pollTrace.length;
				try {
					const { items } = await pollers[event].poll();
					for (const item of items ?? []) emitted[event].push(item.json);
				} catch (error) {
					pollErrors.push(`${event}: ${error.message}`);
				}
				return pollTrace.slice(from).filter((entry) => entry.event === event).pop();
			}),
		);
		const updated = outcomes[kinds.indexOf('dossierUpdated')];
		readPositions.push({ sequence: committed, served: Boolean(updated?.served), position: updatedPosition() });
		return outcomes.every((outcome) => outcome?.complete);
	}

	let polledTouch = 0; // latest touch every trigger has read since (a complete poll of each)
	let completeSince = 0; // when the last complete round of polls started
	const completeRound = async () => {
		const start = Date.now();
		if (await pollAll()) completeSince = start;
		return completeSince === start;
	};
	let lastTouch = 0;
	const startedAt = Date.now();
	const counts = {
		deposit: 0, update: 0, state: 0, label: 0, delete: 0, pending: 0, trashed: 0, expired: 0, backdatedPurge: 0, purge: 0,
		late: 0, lateAtActivation: 0, sameSecond: 0, faults: 0, timeouts: 0, throttled: 0, overlapping: 0, incompleteRounds: 0,
	};
	const quietSince = (ms) => [...live.entries()].filter(([, d]) => d.touched < ms).map(([n]) => n);

	// Activation: every trigger's first poll, then commits stamped before it that become visible after.
	const activation = Date.now();
	await pollAll();
	{
		const d = await act(sb, 'deposit', { demarche: DEMARCHE, at: activation - 500 });
		live.set(d.number, { state: d.state, touched: Date.now() });
		const [first, second] = quietSince(1);
		const dossier = live.get(first);
		const state = STATES.filter((s) => s !== dossier.state)[0];
		await act(sb, 'state', { number: first, state, motivation: 'Soak', at: activation - 300 });
		dossier.state = state;
		dossier.touched = Date.now();
		await act(sb, 'update', { number: second, values: {}, at: activation - 200 });
		live.get(second).touched = Date.now();
		counts.lateAtActivation += 3;
		lastTouch = Date.now();
	}

	for (let tick = 0; tick < TICKS; tick++) {
		const now = Date.now();
		if (process.env.SOAK_PROGRESS && tick % 50 === 0) console.log(`tick ${tick} at ${now - startedAt} ms`);
		const quiet = [...live.entries()].filter(([, d]) => now - d.touched > QUIET_MS).map(([n]) => n);
		const actions = rand() < 0.03 ? 25 : Math.floor(rand() * 4);
		const touched = new Set();
		for (let i = 0; i < actions; i++) {
			const roll = rand();
			const candidates = quiet.filter((n) => !touched.has(n));
			if (roll < 0.3 || candidates.length === 0 || actions > 4) {
				const d = await act(sb, 'deposit', { demarche: DEMARCHE });
				live.set(d.number, { state: d.state, touched: Date.now() });
				touched.add(d.number);
				counts.deposit++;
				continue;
			}
			const number = pick(candidates);
			touched.add(number);
			const dossier = live.get(number);
			if (roll < 0.55) {
				await act(sb, 'update', { number, values: {} });
				counts.update++;
			} else if (roll < 0.78) {
				const state = pick(STATES.filter((s) => s !== dossier.state));
				await act(sb, 'state', { number, state, motivation: 'Soak' });
				dossier.state = state;
				counts.state++;
			} else if (roll < 0.85) {
				// a label added or removed (moves dateDerniereModification since PR #13566)
				const has = labelled.has(number);
				const mutation = has ? 'dossierSupprimerLabel' : 'dossierAjouterLabel';
				const { data: ids } = await gqlAdmin(`{ dossier(number: ${number}) { id } }`);
				const answer = await gqlAdmin(
					`mutation($input: ${has ? 'DossierSupprimerLabelInput' : 'DossierAjouterLabelInput'}!) { ${mutation}(input: $input) { errors { message } } }`,
					{ input: { dossierId: ids.dossier.id, labelId } },
				);
				if (answer.errors || answer.data[mutation].errors) continue;
				if (has) labelled.delete(number);
				else labelled.add(number);
				counts.label++;
			} else if (roll < 0.93) {
				// only dossiers every trigger has already seen in their last version
				if (dossier.touched > polledTouch) continue;
				const kind = rand();
				if (kind < 0.3) {
					await act(sb, 'delete', { number, pending: false, reason: 'user_request' });
					counts.delete++;
				} else if (kind < 0.55 && dossier.state === 'en_construction') {
					// trashed by the usager: pending now, purged later with deleted_at back-dated to now
					await act(sb, 'hide', { number, by: 'usager' });
					hidden.push({ number, at: Date.now() });
					counts.trashed++;
				} else if (kind < 0.8 && dossier.state !== 'en_instruction') {
					// expired: hidden from every list (no pending row), purged later (reason expired)
					await act(sb, 'hide', { number, by: 'expiry' });
					hidden.push({ number, at: Date.now() });
					counts.expired++;
				} else {
					await act(sb, 'delete', { number, pending: true, reason: 'instructeur_request' });
					counts.pending++;
				}
				live.delete(number);
				continue;
			} else {
				// a late commit lands 1 s behind the newest row served: the dossier's own last change must be older
				if (Date.now() - startedAt < 3000 || dossier.touched > polledTouch - 2500) continue;
				await act(sb, 'late-commit', { number, behindMs: 1000 });
				counts.late++;
			}
			dossier.touched = Date.now();
		}
		if (touched.size) lastTouch = Date.now();

		// every 40 ticks, a usager trashes an en_construction dossier every trigger has seen (pending now)
		if (tick % 40 === 3) {
			const number = [...live.entries()].find(([n, d]) => d.state === 'en_construction' && d.touched <= polledTouch && !touched.has(n))?.[0];
			if (number !== undefined) {
				await act(sb, 'hide', { number, by: 'usager' });
				hidden.push({ number, at: Date.now() });
				live.delete(number);
				counts.trashed++;
			}
		}
		// the purge of a dossier hidden more than the overlap window ago (back-dated when it was
		// trashed), once a complete round of polls has read its pending deletion
		if (hidden.length && hidden[0].at < completeSince && Date.now() - hidden[0].at > 6000 && (rand() < 0.3 || Date.now() - hidden[0].at > 10_000)) {
			const { number } = hidden.shift();
			const { purged } = await act(sb, 'purge', { number });
			counts[purged[0].deletedAt < Date.now() - 5000 ? 'backdatedPurge' : 'purge']++;
		}

		// two versions of one dossier within one printed second, the second committed after a poll
		// read the first: X at S.100 and Y at S.700 read together, then X changes state at S.400
		if (tick % 37 === 20) {
			const S = Math.floor((Date.now() - 1500) / 1000) * 1000;
			const [x, y] = quietSince(S - 1000).filter((n) => !touched.has(n));
			if (x && y) {
				await act(sb, 'update', { number: x, values: {}, at: S + 100 });
				await act(sb, 'update', { number: y, values: {}, at: S + 700 });
				await pollAll();
				const dossier = live.get(x);
				const state = pick(STATES.filter((s) => s !== dossier.state));
				await act(sb, 'state', { number: x, state, motivation: 'Soak', at: S + 400 });
				dossier.state = state;
				dossier.touched = Date.now();
				live.get(y).touched = Date.now();
				lastTouch = Date.now();
				counts.sameSecond++;
			}
		}

		// faults on the trigger's requests: the transport must absorb them
		const fault = rand();
		if (fault < 0.08) {
			await control(sb, 'POST', '/faults', { kind: pick(['500', '502', '503', 'timeout', 'reset']), operationName: 'TriggerPollDemarche' });
			counts.faults++;
		}
		const throttle = tick % 100 === 50;
		if (throttle) {
			await control(sb, 'POST', '/throttle', { limit: 2, periodSeconds: 1 });
			counts.throttled++;
		}
		// deterministic platform timeouts: heavy pages time out on every try for a few ticks
		if (tick % 100 === 25) {
			await control(sb, 'POST', '/timeouts', { budget: 12, demarches: [DEMARCHE] });
			counts.timeouts++;
		}
		if (tick % 100 === 30) await control(sb, 'DELETE', '/timeouts');
		let complete;
		if (tick % 50 === 10) {
			// the next tick fires while this one's polls still run
			const rounds = await Promise.all([completeRound(), new Promise((resolve) => setTimeout(resolve, 20)).then(completeRound)]);
			complete = rounds.some(Boolean);
			counts.overlapping++;
		} else complete = await completeRound();
		if (throttle) await control(sb, 'POST', '/throttle', { limit: 400, periodSeconds: 60 });
		if (complete) polledTouch = lastTouch;
		else counts.incompleteRounds++;
	}
	// every injected fault hit a trigger request (and was absorbed: no poll failed)
	const unused = await control(sb, 'GET', '/faults');
	expect(Array.isArray(unused) ? unused : unused.faults).toEqual([]);
	// Drain: ten more rounds, then until a complete one (every trigger read everything): a rate limit
	// can defer every poll for up to a minute, and the last events must have been read to be owed.
	let drained = false;
	for (let i = 0, until = Date.now() + 180_000; !drained && Date.now() < until; i++) {
		const complete = await completeRound();
		drained = complete && i >= 9;
		if (!complete) await new Promise((resolve) => setTimeout(resolve, 1000));
	}
	expect({ drained }).toEqual({ drained: true });

	const log = (await events(sb, startSequence)).filter((e) => e.demarcheNumber === DEMARCHE);
	const modifying = new Set(['deposited', 'updated', 'annotationsUpdated', 'stateChanged', 'labelAdded', 'labelRemoved']);
	const expected = {
		dossierDeposited: log.filter((e) => e.type === 'deposited').map((e) => `${e.dossierNumber}`),
		dossierUpdated: log
			.filter((e) => modifying.has(e.type))
			.map((e) => `${e.dossierNumber}@${second(e.at)}`),
		dossierStateChanged: log
			.filter((e) => e.type === 'stateChanged')
			.map((e) => `${e.dossierNumber}:${e.previousState}>${e.state}`),
		dossierDeleted: log
			.filter((e) => e.type === 'deleted' || e.type === 'pendingDeleted')
			.map((e) => `${e.dossierNumber}:${e.type === 'pendingDeleted'}`),
	};
	// "Dossier Updated" can only emit the versions its reads met: the platform's lists serve each
	// dossier's current version, nothing of the ones before. A version replaced (changed again,
	// deleted) before the trigger's read position reached it is never served: it arrives merged into
	// the later one (README: several updates between two reads are one item). That happens between
	// two polls, and also to a dossier still queued behind *Max Dossiers Read Per Poll* (a 25-deposit
	// burst read 10 a poll: a dossier deposited and updated before a poll reached its deposit).
	// Such a version may be emitted (when a read met it) but need not; every other one must be.
	const positionBefore = (sequence) => {
		let found;
		for (const read of readPositions) if (read.sequence < sequence && read.position) found = read.position;
		return found;
	};
	const readBefore = (event, replacement) => {
		const at = Date.parse(event.at);
		// a poll that started after the event, read its lists, and whose position reached the event
		return readPositions.some(
			({ sequence, served, position }) =>
				served &&
				sequence >= event.sequence &&
				sequence < replacement.sequence &&
				Boolean(position) &&
				(position.time > at || (position.time === at && position.number >= event.dossierNumber) || second(event.at) * 1000 <= position.mark),
		);
	};
	const merged = log.filter((e, index) => {
		if (!modifying.has(e.type)) return false;
		const replacement = log.slice(index + 1).find((later) => later.dossierNumber === e.dossierNumber);
		return replacement !== undefined && !readBefore(e, replacement);
	});
	const mergedKeys = merged.map((e) => `${e.dossierNumber}@${second(e.at)}`);
	const allUpdates = expected.dossierUpdated;
	expected.dossierUpdated = minus(allUpdates, mergedKeys);
	const got = {
		dossierDeposited: emitted.dossierDeposited.map((i) => `${i.number}`),
		dossierUpdated: emitted.dossierUpdated.map((i) => `${i.number}@${second(i.dateDerniereModification)}`),
		dossierStateChanged: emitted.dossierStateChanged.map((i) => `${i.number}:${i.previousState}>${i.stateChange.state}`),
		dossierDeleted: emitted.dossierDeleted.map((i) => `${i.number}:${i.pendingDeletion}`),
	};
	const report = {};
	for (const event of kinds) {
		const all = event === 'dossierUpdated' ? allUpdates : expected[event];
		report[event] = {
			events: all.length,
			emitted: got[event].length,
			lost: minus(expected[event], got[event]),
			duplicated: minus(got[event], all),
		};
	}
	report.dossierUpdated.merged = mergedKeys.length;
	report.dossierUpdated.mergedEmitted = mergedKeys.length - minus(mergedKeys, minus(got.dossierUpdated, expected.dossierUpdated)).length;
	console.log(
		`soak: ${TICKS} ticks × 4 triggers in ${Math.round((Date.now() - startedAt) / 1000)} s; actions ${JSON.stringify(counts)}; ` +
			kinds.map((k) => `${k} ${report[k].events} events, ${report[k].emitted} emitted, ${report[k].lost.length} lost, ${report[k].duplicated.length} duplicated`).join('; ') +
			` (dossierUpdated: ${report.dossierUpdated.merged} versions replaced before a read reached them, ${report.dossierUpdated.mergedEmitted} of them emitted all the same)`,
	);
	if (process.env.SOAK_DEBUG) {
		require('fs').mkdirSync('test-output', { recursive: true });
		require('fs').writeFileSync(`test-output/soak-trace-${SEED}.json`, JSON.stringify({ log, pollTrace, readPositions }, null, 1));
		for (const event of kinds) {
			for (const key of report[event].lost) {
				const number = Number(key.split(/[@:]/)[0]);
				if (event === 'dossierUpdated' || event === 'dossierDeleted') {
					const mentions = pollTrace.filter((p) => p.event === event && JSON.stringify(p).includes(`${number}@`));
					console.log(`${event} lost ${key}: polls that met it ${JSON.stringify(mentions, null, 1)}`);
				}
				console.log(
					`${event} lost ${key}: log ${JSON.stringify(log.filter((e) => e.dossierNumber === number).map((e) => [e.type, e.at, e.sequence]))}; emitted ${JSON.stringify(emitted[event].filter((i) => i.number === number).map((i) => [i.dateDerniereModification ?? i.dateSupression, i.stateChange?.state]))}; "Dossier Updated" read position before each of its events ${JSON.stringify(log.filter((e) => e.dossierNumber === number).map((e) => [e.sequence, positionBefore(e.sequence)]))}`,
				);
			}
		}
		for (const e of merged) {
			const replacement = log.find((later) => later.sequence > e.sequence && later.dossierNumber === e.dossierNumber);
			console.log(
				`dossierUpdated merged ${e.dossierNumber}@${e.at} (#${e.sequence} ${e.type}): replaced by #${replacement.sequence} ${replacement.type} at ${replacement.at}; read position then ${JSON.stringify(positionBefore(replacement.sequence))}`,
			);
		}
	}
	expect(pollErrors).toEqual([]);
	for (const event of kinds) {
		expect({ event, lost: report[event].lost, duplicated: report[event].duplicated }).toEqual({ event, lost: [], duplicated: [] });
		expect(report[event].events).toBeGreaterThan(0);
	}
	const requests = await control(sb, 'GET', '/requests?token=admin');
	const logged = Array.isArray(requests) ? requests : requests.requests;
	expect(logged.map((r) => r.status)).toContain(429);
	// (the request log is bounded: it may have dropped the oldest faulted requests)
	expect(logged.filter((r) => r.fault).length).toBeGreaterThan(0);
	expect(counts.late).toBeGreaterThan(0);
	expect(counts.faults).toBeGreaterThan(0);
	for (const kind of ['label', 'trashed', 'expired', 'sameSecond', 'timeouts', 'overlapping', 'backdatedPurge']) {
		expect({ kind, count: counts[kind] }).toEqual({ kind, count: expect.any(Number) });
		expect(counts[kind]).toBeGreaterThan(0);
	}
});
