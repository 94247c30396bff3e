'use strict';
const { readDateTime, readLimit, readLocatorNumber } = require('../../nodes/DemarcheNumerique/actions/common/fields');
const { operationNameOf } = require('../../nodes/DemarcheNumerique/actions/graphql/query.operation');
const { searchGroupeInstructeurs, searchInstructeurs } = require('../../nodes/DemarcheNumerique/methods/listSearch');

const ctx = (parameters = {}, timeZone = 'UTC') => ({
	getNode: () => ({ name: 'DN', type: 'x', typeVersion: 1, parameters: {} }),
	getNodeParameter: (name, _i, fallback) => (name in parameters ? parameters[name] : fallback),
	getTimezone: () => timeZone,
});

describe('readDateTime', () => {
	it.each([
		['2025-06-01T00:00:00', 'Europe/Paris', '2025-06-01T00:00:00+02:00'],
		['2025-06-01', 'Europe/Paris', '2025-06-01T00:00:00+02:00'],
		['2025-01-15 08:30', 'Europe/Paris', '2025-01-15T08:30:00+01:00'],
		['2025-06-01T00:00:00', 'UTC', '2025-06-01T00:00:00+00:00'],
		['2025-06-01T08:00:00+02:00', 'America/New_York', '2025-06-01T08:00:00+02:00'],
		['2025-06-01T08:00:00Z', 'Europe/Paris', '2025-06-01T08:00:00Z'],
	])('%s in %s → %s (no zone means the workflow\'s)', (input, zone, expected) => {
		expect(readDateTime(ctx({}, zone), input, 'Updated Since', 0)).toBe(expected);
		expect(Date.parse(readDateTime(ctx({}, zone), input, 'Updated Since', 0))).toBe(Date.parse(expected));
	});

	it('names the parameter and the value it cannot read', () => {
		expect(() => readDateTime(ctx(), 'tomorrow', 'Created Since', 0)).toThrow('Created Since "tomorrow" is not a date');
	});
});

describe('readLimit', () => {
	it('is undefined with Return All, the limit otherwise', () => {
		expect(readLimit(ctx({ returnAll: true, limit: 5 }), 0)).toBeUndefined();
		expect(readLimit(ctx({ returnAll: false, limit: 5 }), 0)).toBe(5);
	});

	it('refuses a limit that is not a positive whole number', () => {
		expect(() => readLimit(ctx({ returnAll: false, limit: 0 }), 0)).toThrow(/not a positive whole number/);
		expect(() => readLimit(ctx({ returnAll: false, limit: 2.5 }), 0)).toThrow(/not a positive whole number/);
	});
});

describe('readLocatorNumber (locators inside collections)', () => {
	it('reads {__rl, value}, strings and numbers; empty is undefined', () => {
		expect(readLocatorNumber(ctx(), { __rl: true, mode: 'list', value: '503' }, 'Groupe instructeur', 0)).toBe(503);
		expect(readLocatorNumber(ctx(), ' 42 ', 'Groupe instructeur', 0)).toBe(42);
		expect(readLocatorNumber(ctx(), 7, 'Groupe instructeur', 0)).toBe(7);
		expect(readLocatorNumber(ctx(), { __rl: true, mode: 'list', value: '' }, 'Groupe instructeur', 0)).toBeUndefined();
		expect(readLocatorNumber(ctx(), undefined, 'Groupe instructeur', 0)).toBeUndefined();
	});

	it('refuses what is not a number', () => {
		expect(() => readLocatorNumber(ctx(), 'abc', 'Groupe instructeur', 0)).toThrow('Groupe instructeur "abc" is not a groupe instructeur number');
		expect(() => readLocatorNumber(ctx(), '-3', 'Groupe instructeur', 0)).toThrow(/is not a groupe instructeur number/);
	});
});

describe('operationNameOf', () => {
	it.each([
		['query MyDossier($n: Int!) { dossier(number: $n) { id } }', 'MyDossier'],
		['  mutation Do { x }', 'Do'],
		['{ demarche(number: 1) { id } }', undefined],
		['query { demarche(number: 1) { id } }', undefined],
	])('%s → %s', (query, name) => {
		expect(operationNameOf(query)).toBe(name);
	});
});

describe('list searches', () => {
	const groupes = [
		{ id: 'g1', number: 501, label: 'Associations culturelles', closed: false, instructeurs: [{ id: 'i1', email: 'claire@x.fr' }] },
		{ id: 'g2', number: 502, label: 'Associations sportives', closed: false, instructeurs: [{ id: 'i1', email: 'claire@x.fr' }, { id: 'i2', email: 'julien@x.fr' }] },
		{ id: 'g3', number: 504, label: 'Ancien groupe', closed: true, instructeurs: [] },
	];
	const loadOptions = (current) => {
		const sent = [];
		return {
			sent,
			getNode: () => ({ name: 'DN', type: 'x', typeVersion: 1, parameters: {} }),
			getCurrentNodeParameter: (name) => current[name],
			getCredentials: async () => ({ baseUrl: 'https://dn.example', token: 'tok-123456' }),
			helpers: {
				httpRequestWithAuthentication: async (_type, options) => {
					sent.push(options.body.operationName);
					return { statusCode: 200, headers: {}, body: { data: { demarche: { id: 'd', number: 1002, groupeInstructeurs: groupes } } } };
				},
			},
		};
	};

	it('lists the démarche\'s groupes, filtered by label or number, closed ones marked', async () => {
		const all = await searchGroupeInstructeurs.call(loadOptions({ demarche: '1002' }));
		expect(all.results).toEqual([
			{ name: 'Associations culturelles — n° 501', value: '501' },
			{ name: 'Associations sportives — n° 502', value: '502' },
			{ name: 'Ancien groupe (closed) — n° 504', value: '504' },
		]);
		expect((await searchGroupeInstructeurs.call(loadOptions({ demarche: '1002' }), 'sport')).results.map((r) => r.value)).toEqual(['502']);
		expect((await searchGroupeInstructeurs.call(loadOptions({ demarche: '1002' }), '504')).results.map((r) => r.value)).toEqual(['504']);
	});

	it('lists nothing, without a request, before a démarche is chosen', async () => {
		const context = loadOptions({});
		expect((await searchGroupeInstructeurs.call(context)).results).toEqual([]);
		expect(context.sent).toEqual([]);
	});

	it('lists each instructeur of the démarche once', async () => {
		const { results } = await searchInstructeurs.call(loadOptions({ demarche: '1002' }));
		expect(results).toEqual([
			{ name: 'claire@x.fr', value: 'i1' },
			{ name: 'julien@x.fr', value: 'i2' },
		]);
	});
});
