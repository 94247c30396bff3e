'use strict';
/**
 * One poll of the polling trigger (sync/poll.ts) without n8n: the platform is a fake that pages a
 * list of dossiers by modification date like the platform (keyset on (time, number), `since`,
 * opaque cursor, at most `first` rows).
 */
const { pollOnce, sampleOnce, DEFAULT_SYNC_OPTIONS } = require('../../nodes/DemarcheNumerique/sync');

const T0 = Date.parse('2026-03-01T10:00:00Z');
const iso = (ms) => new Date(ms).toISOString();
const settings = (overrides = {}) => ({
	config: { scope: 'demarche:1', event: 'dossierUpdated', startFrom: 'beginning' },
	states: [],
	sync: { ...DEFAULT_SYNC_OPTIONS, ...overrides },
});

/** A fake platform over `rows` ({number, dateDerniereModification, state}); records each call. */
function fakePlatform(rows, { failOn = () => false, explain = async (request, error) => error } = {}) {
	const calls = [];
	const sorted = () =>
		[...rows].sort((a, b) => Date.parse(a.dateDerniereModification) - Date.parse(b.dateDerniereModification) || a.number - b.number);
	const page = ({ since, after, first, last }) => {
		let list = sorted().filter((row) => !since || Date.parse(row.dateDerniereModification) >= Date.parse(since));
		if (after) {
			const [time, number] = after.split(':').map(Number);
			list = list.filter((row) => {
				const t = Date.parse(row.dateDerniereModification);
				return t > time || (t === time && row.number > number);
			});
		}
		const size = Math.min(first ?? last ?? 100, 100);
		const nodes = last ? list.slice(-size) : list.slice(0, size);
		const end = nodes[nodes.length - 1];
		return {
			nodes,
			pageInfo: {
				hasNextPage: !last && list.length > size,
				endCursor: end ? `${Date.parse(end.dateDerniereModification)}:${end.number}` : null,
			},
		};
	};
	const platform = {
		async fetchLists(request) {
			calls.push({ fetchLists: request });
			if (failOn(request, calls.length)) throw new Error(`request ${calls.length} failed`);
			const answer = {};
			for (const [name, list] of Object.entries(request.main)) answer[name] = page(list);
			for (const [name, list] of Object.entries(request.overlap)) answer[`${name}Overlap`] = page(list);
			return answer;
		},
		async refetchDossiers(numbers) {
			calls.push({ refetchDossiers: numbers });
			return numbers.map((number) => rows.find((row) => row.number === number)).filter(Boolean);
		},
		explainFailure: explain,
	};
	return { platform, calls };
}

const dossier = (number, time, state = 'en_construction') => ({ number, dateDerniereModification: iso(time), state });
const numbersOf = (outcome) => outcome.emissions.map((emission) => emission.row.number);

it('emits every new dossier once, and stores nothing when the next poll finds nothing new', async () => {
	const rows = [dossier(1, T0), dossier(2, T0 + 1000), dossier(3, T0 + 2000)];
	const { platform } = fakePlatform(rows);
	const first = await pollOnce(platform, settings(), undefined, T0 + 5000);
	expect(numbersOf(first)).toEqual([1, 2, 3]);
	expect(first.state.streams.changes.cursor).toBe(`${T0 + 2000}:3`);
	expect(first.failure).toBeUndefined();

	const second = await pollOnce(platform, settings(), JSON.parse(JSON.stringify(first.state)), T0 + 65_000);
	expect(numbersOf(second)).toEqual([]);
	expect(second.state).toBeUndefined();
});

it('reads pages until the per-poll budget of rows, and carries on at the next poll', async () => {
	const rows = Array.from({ length: 5 }, (_, i) => dossier(i + 1, T0 + i * 1000));
	const { platform, calls } = fakePlatform(rows);
	const first = await pollOnce(platform, settings({ maxPerPoll: 3 }), undefined, T0 + 10_000);
	expect(numbersOf(first)).toEqual([1, 2, 3]);
	expect(calls.filter((call) => call.fetchLists)).toHaveLength(1);
	const second = await pollOnce(platform, settings({ maxPerPoll: 3 }), first.state, T0 + 70_000);
	expect(numbersOf(second)).toEqual([4, 5]);
});

it('refetches a dossier committed behind the cursor (seen in the overlap list) and emits it', async () => {
	const rows = [dossier(1, T0), dossier(2, T0 + 2000)];
	const { platform, calls } = fakePlatform(rows);
	const first = await pollOnce(platform, settings(), undefined, T0 + 5000);
	rows.push(dossier(3, T0 + 1000)); // committed late, behind the cursor at dossier 2
	const second = await pollOnce(platform, settings(), first.state, T0 + 65_000);
	expect(numbersOf(second)).toEqual([3]);
	expect(calls).toContainEqual({ refetchDossiers: [3] });
});

it('the first request failing throws what explainFailure makes of it, and nothing is stored', async () => {
	const explained = new Error('dossier 2 cannot be read');
	const explain = jest.fn(async () => explained);
	const { platform } = fakePlatform([dossier(1, T0)], { failOn: () => true, explain });
	await expect(pollOnce(platform, settings(), undefined, T0)).rejects.toBe(explained);
	expect(explain).toHaveBeenCalledWith(expect.objectContaining({ main: expect.any(Object) }), expect.any(Error));
});

it('a later request failing keeps what was read so far, with its state, and reports the failure', async () => {
	const rows = Array.from({ length: 150 }, (_, i) => dossier(i + 1, T0 + i * 1000));
	const { platform } = fakePlatform(rows, { failOn: (request, n) => n === 2 });
	const outcome = await pollOnce(platform, settings(), undefined, T0 + 200_000);
	expect(numbersOf(outcome)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
	expect(outcome.state.streams.changes.cursor).toBe(`${T0 + 99_000}:100`);
	expect(outcome.failure.message).toBe('request 2 failed');
});

it('a later failure with nothing new to show is thrown, so the poll is not a silent success', async () => {
	const rows = [dossier(1, T0), dossier(2, T0 + 2000)];
	const { platform } = fakePlatform(rows);
	const first = await pollOnce(platform, settings(), undefined, T0 + 5000);
	rows.push(dossier(3, T0 + 1000)); // committed late: the overlap list shows it, its refetch fails
	const failing = { ...platform, refetchDossiers: async () => Promise.reject(new Error('refetch failed')) };
	await expect(pollOnce(failing, settings(), first.state, T0 + 65_000)).rejects.toThrow('refetch failed');
	// nothing was lost: the next poll, with the state as it was, emits the late dossier
	expect(numbersOf(await pollOnce(platform, settings(), first.state, T0 + 125_000))).toEqual([3]);
});

it('applies the states filter to what it emits', async () => {
	const rows = [dossier(1, T0, 'en_construction'), dossier(2, T0 + 1000, 'accepte')];
	const { platform } = fakePlatform(rows);
	const outcome = await pollOnce(platform, { ...settings(), states: ['accepte'] }, undefined, T0 + 5000);
	expect(numbersOf(outcome)).toEqual([2]);
});

it('samples the most recent matching dossiers, newest first, without any state', async () => {
	const rows = Array.from({ length: 8 }, (_, i) => dossier(i + 1, T0 + i * 1000));
	const { platform } = fakePlatform(rows);
	const sample = await sampleOnce(platform, 'dossierUpdated', [], 3);
	expect(sample.map((emission) => emission.row.number)).toEqual([8, 7, 6]);
});
