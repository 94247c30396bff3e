'use strict';
/**
 * Issue 16 (items 2 to 5), the pure parts: Key By in the simplified dossier, Include's two shapes,
 * the label parameter's two shapes, deletion items, and démarche references (numbers, admin URLs,
 * public links). Expected values are written out literally.
 */
const { simplifyChamps, simplifyDossier } = require('../../nodes/DemarcheNumerique/output/simplify');
const { deletedDossierJson } = require('../../nodes/DemarcheNumerique/output/items');
const {
	dossierPartsField,
	dossierPartsFields,
	dossierPartsFrom,
	keyByFrom,
} = require('../../nodes/DemarcheNumerique/actions/common/fields');
const { demarcheReference } = require('../../nodes/DemarcheNumerique/actions/common/locators');
const { labelFrom } = require('../../nodes/DemarcheNumerique/actions/dossier/pairedOperations');

const champ = (typename, label, descriptor, fields = {}) => ({
	__typename: typename,
	id: descriptor ? `${descriptor}-own` : undefined,
	champDescriptorId: descriptor,
	label,
	stringValue: null,
	...fields,
});

describe('Key By', () => {
	const champs = [
		champ('HeaderSectionChamp', 'Section', 'D0'),
		champ('TextChamp', 'Nom', 'D1', { value: 'Jardin' }),
		champ('TextChamp', 'Nom', 'D2', { value: 'Bis' }),
		champ('IntegerNumberChamp', 'Montant', 'D3', { integerNumber: '1500' }),
		champ('RepetitionChamp', 'Membres', 'D4', {
			rows: [
				{ id: 'r1', champs: [champ('TextChamp', 'Nom', 'D5', { value: 'Dupont' }), champ('TextChamp', 'Rôle', 'D6', { value: 'Trésorier' })] },
				{ id: 'r2', champs: [champ('TextChamp', 'Nom', 'D5', { value: 'Martin' }), champ('TextChamp', 'Rôle', 'D6', { value: null })] },
			],
		}),
	];

	it('keys by label by default, a repeated label numbered', () => {
		expect(simplifyChamps(champs)).toEqual({
			Nom: 'Jardin',
			'Nom (2)': 'Bis',
			Montant: 1500,
			Membres: [
				{ Nom: 'Dupont', Rôle: 'Trésorier' },
				{ Nom: 'Martin', Rôle: null },
			],
		});
	});

	it('keys by descriptor ID with keyBy "id", rows too, labels no longer matter', () => {
		expect(simplifyChamps(champs, undefined, { keyBy: 'id' })).toEqual({
			D1: 'Jardin',
			D2: 'Bis',
			D3: 1500,
			D4: [
				{ D5: 'Dupont', D6: 'Trésorier' },
				{ D5: 'Martin', D6: null },
			],
		});
	});

	it('falls back to the champ\'s own ID without its row suffix when the descriptor ID is missing', () => {
		const bare = { __typename: 'TextChamp', id: 'Q2hhbXAtNQ==|row-7', label: 'Nom', value: 'x' };
		expect(simplifyChamps([bare], undefined, { keyBy: 'id' })).toEqual({ 'Q2hhbXAtNQ==': 'x' });
	});

	it('applies to champs and annotations of a whole dossier, nothing else changes', () => {
		const dossier = { number: 7, champs: champs.slice(1, 2), annotations: [champ('TextChamp', 'Avis', 'A1', { value: 'ok' })] };
		const byId = simplifyDossier(dossier, undefined, { keyBy: 'id' });
		const byLabel = simplifyDossier(dossier);
		expect(byId.champs).toEqual({ D1: 'Jardin' });
		expect(byId.annotations).toEqual({ A1: 'ok' });
		expect(byLabel.annotations).toEqual({ Avis: 'ok' });
		expect({ ...byId, champs: null, annotations: null }).toEqual({ ...byLabel, champs: null, annotations: null });
	});

	it('reads anything but "id" as the label (older workflows have no keyBy)', () => {
		expect([keyByFrom('id'), keyByFrom('label'), keyByFrom(undefined), keyByFrom('')]).toEqual(['id', 'label', 'label', 'label']);
	});
});

describe('Include', () => {
	const ALL_OFF = { annotations: false, avis: false, champs: false, files: false, geometry: false, instructeurs: false, labels: false, messages: false, traitements: false };

	it('version 2 shows preselected exactly the parts version 1 fetched when nothing was added', () => {
		const [v1, v2] = dossierPartsFields({ resource: ['dossier'] });
		expect(v1.type).toBe('collection');
		expect(v1.displayOptions.show['@version']).toEqual([1]);
		expect(v2.type).toBe('multiOptions');
		expect(v2.displayOptions.show['@version']).toEqual([2]);
		expect(dossierPartsFrom(v2.default)).toEqual(dossierPartsFrom({}));
		expect([...v2.default].sort()).toEqual(['annotations', 'champs', 'files', 'instructeurs', 'labels']);
		expect(v2.options.map((o) => o.value)).toEqual(dossierPartsField({}).options.map((o) => o.name));
		expect(dossierPartsFrom({})).toEqual({ ...ALL_OFF, annotations: true, champs: true, files: true, instructeurs: true, labels: true });
	});

	it('a multi-select fetches only what is selected; a collection adds its switches to the defaults', () => {
		expect(dossierPartsFrom(['messages'])).toEqual({ ...ALL_OFF, messages: true });
		expect(dossierPartsFrom([])).toEqual(ALL_OFF);
		expect(dossierPartsFrom('champs, avis')).toEqual({ ...ALL_OFF, champs: true, avis: true });
		expect(dossierPartsFrom({ messages: true, champs: false })).toEqual({
			...ALL_OFF,
			annotations: true,
			files: true,
			instructeurs: true,
			labels: true,
			messages: true,
		});
	});
});

describe('label parameter, both versions', () => {
	it('reads version 1\'s text and version 2\'s locator', () => {
		expect(labelFrom(' Urgent ')).toEqual({ value: 'Urgent', mode: 'name' });
		expect(labelFrom({ __rl: true, mode: 'list', value: 'TGFiZWwtMQ==' })).toEqual({ value: 'TGFiZWwtMQ==', mode: 'list' });
		expect(labelFrom({ __rl: true, mode: 'id', value: ' TGFiZWwtMQ== ' })).toEqual({ value: 'TGFiZWwtMQ==', mode: 'id' });
		expect(labelFrom(undefined)).toEqual({ value: '', mode: 'name' });
	});
});

describe('deleted dossiers', () => {
	const record = { number: 12, id: 'RG9zc2llci0xMg==', state: 'accepte', reason: 'expired', dateSupression: '2026-01-02T03:04:05+01:00' };

	it('have one shape, with pendingDeletion; `pending` only for version 1 of the trigger', () => {
		expect(deletedDossierJson(record, true)).toEqual({ ...record, deleted: true, pendingDeletion: true });
		expect(deletedDossierJson(record, false, true)).toEqual({ ...record, deleted: true, pendingDeletion: false, pending: false });
	});
});

describe('démarche references', () => {
	it.each([
		['12345', { number: '12345' }],
		[{ __rl: true, mode: 'id', value: ' 42 ' }, { number: '42' }],
		['https://demarche.numerique.gouv.fr/admin/procedures/12345/champs', { number: '12345' }],
		['https://demarche.numerique.gouv.fr/procedures/12345/dossiers/99', { number: '12345' }],
		['https://demarche.numerique.gouv.fr/commencer/Subvention-Associations-2026', { path: 'subvention-associations-2026' }],
		['https://demarche.numerique.gouv.fr/commencer/test/mon-essai?prefill_token=x', { path: 'mon-essai' }],
		['https://demarche.numerique.gouv.fr/commencer/aide%C3%A9t%C3%A9#top', { path: 'aideété' }],
		['https://demarche.numerique.gouv.fr/commencer/test', { path: 'test' }],
		['abc', { number: 'abc' }],
	])('%j → %j', (input, expected) => {
		expect(demarcheReference(input)).toEqual(expected);
	});
});

describe('the "By URL" mode of the démarche locator, as n8n reads it', () => {
	const { demarcheLocator } = require('../../nodes/DemarcheNumerique/actions/common/locators');
	const mode = demarcheLocator.modes.find((m) => m.name === 'url');
	const extract = (url) => {
		// n8n-core's extractValue: exactly one group, the first match.
		const match = new RegExp(mode.extractValue.regex).exec(url);
		return match && match.length === 2 ? match[1] : null;
	};
	const valid = (url) => new RegExp(mode.validation[0].properties.regex).test(url);

	it.each([
		['https://demarche.numerique.gouv.fr/admin/procedures/12345/champs', '12345'],
		['https://demarche.numerique.gouv.fr/procedures/12345/dossiers/99', '12345'],
		['https://demarche.numerique.gouv.fr/commencer/ma-demarche', 'ma-demarche'],
		['https://demarche.numerique.gouv.fr/commencer/test/ma-demarche', 'ma-demarche'],
	])('%s: accepted, extracts %s', (url, value) => {
		expect(valid(url)).toBe(true);
		expect(extract(url)).toBe(value);
	});

	it('refuses a URL that names no démarche', () => {
		expect(valid('https://demarche.numerique.gouv.fr/dossiers/99')).toBe(false);
		expect(valid('https://demarche.numerique.gouv.fr/procedures/new')).toBe(false);
	});
});
