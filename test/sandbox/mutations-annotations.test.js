'use strict';
/** Annotations over real HTTP: the batch mutation, the legacy per-type ones, fork mode. */
const { control, gql, start } = require('./helpers');
const { gid, actors, freshDossier, mutate } = require('./mutations-helpers');

let sandbox;
let who;
beforeAll(async () => {
	sandbox = await start({ size: 60 });
	who = await actors(sandbox);
});
afterAll(() => sandbox.stop());

/** Démarche 1001's annotation descriptors by label, read through the API (not the sandbox code). */
async function descriptors() {
	const res = await gql(
		sandbox,
		`{ demarche(number: 1001) { activeRevision { annotationDescriptors { id label type
			... on DropDownListChampDescriptor { options }
			... on MultipleDropDownListChampDescriptor { options }
			... on RepetitionChampDescriptor { champDescriptors { id label type } } } } } }`,
	);
	const list = res.json.data.demarche.activeRevision.annotationDescriptors;
	return Object.fromEntries(list.map((d) => [d.type, d]));
}

const ANNOTATIONS = `query($n: Int!) { dossier(number: $n) { dateDerniereModificationAnnotations annotations {
	id stringValue
	... on CheckboxChamp { checked: value }
	... on YesNoChamp { yes: value }
	... on IntegerNumberChamp { integer: value }
	... on DecimalNumberChamp { decimal: value }
	... on DateChamp { date }
	... on DatetimeChamp { datetime }
	... on MultipleDropDownListChamp { values }
	... on DossierLinkChamp { dossier { number } }
	... on RepetitionChamp { rows { id champs { id stringValue } } } } } }`;

async function annotationsOf(number) {
	const res = await gql(sandbox, ANNOTATIONS, { n: number });
	const d = res.json.data.dossier;
	return {
		date: d.dateDerniereModificationAnnotations,
		byId: Object.fromEntries(d.annotations.map((a) => [a.id, a])),
	};
}

const batch = (number, annotations, token) =>
	mutate(
		sandbox,
		'dossierModifierAnnotations',
		{ dossierId: gid('Dossier', number), instructeurId: who.insider.id, annotations },
		'annotations { id stringValue } errors { message }',
		token,
	);

it('writes every one-of value type in one call and reads them back typed', async () => {
	const d = await descriptors();
	const number = await freshDossier(sandbox, {
		groupe: who.groupe.number,
		state: 'en_instruction',
	});
	const linked = await freshDossier(sandbox, { groupe: who.groupe.number });
	const res = await batch(number, [
		{ id: d.text.id, value: { text: 'Vu en commission' } },
		{ id: d.textarea.id, value: { textarea: 'Ligne 1\nLigne 2' } },
		{ id: d.email.id, value: { email: 'referent@mairie.fr' } },
		{ id: d.checkbox.id, value: { checkbox: true } },
		{ id: d.yes_no.id, value: { yesNo: false } },
		{ id: d.date.id, value: { date: '2025-06-30' } },
		{ id: d.datetime.id, value: { datetime: '2025-06-30T14:15:00+02:00' } },
		{ id: d.integer_number.id, value: { integerNumber: 42 } },
		{ id: d.decimal_number.id, value: { decimalNumber: 12.5 } },
		{ id: d.drop_down_list.id, value: { dropDownList: d.drop_down_list.options[1] } },
		{
			id: d.multiple_drop_down_list.id,
			value: { multipleDropDownList: d.multiple_drop_down_list.options.slice(0, 2) },
		},
		{ id: d.dossier_link.id, value: { dossierLink: String(linked) } },
	]);
	expect(res.data.dossierModifierAnnotations.errors).toBeNull();
	expect(res.data.dossierModifierAnnotations.annotations).toHaveLength(12);
	const { byId } = await annotationsOf(number);
	expect(byId[d.text.id].stringValue).toBe('Vu en commission');
	expect(byId[d.textarea.id].stringValue).toBe('Ligne 1\nLigne 2');
	expect(byId[d.email.id].stringValue).toBe('referent@mairie.fr');
	expect(byId[d.checkbox.id].checked).toBe(true);
	expect(byId[d.yes_no.id].yes).toBe(false);
	expect(byId[d.date.id].date).toBe('2025-06-30');
	expect(byId[d.datetime.id].datetime).toBe('2025-06-30T14:15:00+02:00');
	expect(byId[d.integer_number.id].integer).toBe('42');
	expect(byId[d.decimal_number.id].decimal).toBe(12.5);
	expect(byId[d.drop_down_list.id].stringValue).toBe(d.drop_down_list.options[1]);
	expect(byId[d.multiple_drop_down_list.id].values).toEqual(
		d.multiple_drop_down_list.options.slice(0, 2),
	);
	expect(byId[d.dossier_link.id].dossier).toEqual({ number: linked });
});

it('adds repetition rows, then fills a row’s champ by its row champ ID', async () => {
	const d = await descriptors();
	const number = await freshDossier(sandbox, { groupe: who.groupe.number });
	const before = (await annotationsOf(number)).byId[d.repetition.id].rows.length;
	const added = await batch(number, [{ id: d.repetition.id, value: { repetition: 2 } }]);
	expect(added.data.dossierModifierAnnotations.errors).toBeNull();
	const rows = (await annotationsOf(number)).byId[d.repetition.id].rows;
	expect(rows).toHaveLength(before + 2);
	const textChild = d.repetition.champDescriptors.find((c) => c.type === 'text');
	const target = rows[rows.length - 1].champs.find((c) =>
		Buffer.from(c.id, 'base64')
			.toString()
			.startsWith(`${Buffer.from(textChild.id, 'base64').toString()}|`),
	);
	const filled = await batch(number, [{ id: target.id, value: { text: 'Contrôle sur place' } }]);
	expect(filled.data.dossierModifierAnnotations.errors).toBeNull();
	const after = (await annotationsOf(number)).byId[d.repetition.id].rows;
	expect(after[after.length - 1].champs.find((c) => c.id === target.id).stringValue).toBe(
		'Contrôle sur place',
	);
});

it('moves dateDerniereModification but not dateDerniereModificationAnnotations (API writes skip Champ#update_timestamps), and logs an annotationsUpdated event', async () => {
	const d = await descriptors();
	const number = await freshDossier(sandbox, { groupe: who.groupe.number });
	const since = (await control(sandbox, 'GET', '/events')).pop().sequence;
	const before = await control(sandbox, 'GET', `/dossiers/${number}`);
	await control(sandbox, 'POST', '/clock', { set: before.dateDerniereModificationMs + 120000 });
	try {
		await batch(number, [{ id: d.text.id, value: { text: 'x' } }]);
		const after = await control(sandbox, 'GET', `/dossiers/${number}`);
		expect(after.dateDerniereModificationMs).toBe(before.dateDerniereModificationMs + 120000);
		const date = (await annotationsOf(number)).date;
		expect(date).not.toBe(after.dateDerniereModification);
		expect(Date.parse(date)).toBeLessThanOrEqual(before.dateDerniereModificationMs);
	} finally {
		await control(sandbox, 'POST', '/clock', { real: true });
	}
	const events = await control(sandbox, 'GET', `/events?since=${since}`);
	expect(events).toContainEqual(
		expect.objectContaining({ type: 'annotationsUpdated', dossierNumber: number }),
	);
});

describe('batch errors: each valid item is saved, every error is listed (not atomic)', () => {
	const cases = [
		[
			'a value of the wrong type',
			(d) => [{ id: d.text.id, value: { checkbox: true } }],
			(d) => `L‘annotation "${d.text.id}" n’est pas de type attendu`,
		],
		[
			'an unknown annotation ID',
			() => [{ id: gid('Champ', 987654), value: { text: 'x' } }],
			() => `L‘annotation "${gid('Champ', 987654)}" n’existe pas`,
		],
		['a champ (not an annotation) ID', null, null],
		[
			'a drop-down value outside the options',
			(d) => [{ id: d.drop_down_list.id, value: { dropDownList: 'Inconnue' } }],
			() => 'doit être dans les options proposées',
		],
		[
			'an invalid e-mail',
			(d) => [{ id: d.email.id, value: { email: 'pas-un-email' } }],
			() => 'est invalide. Saisissez une adresse électronique valide. Exemple : adresse@mail.com',
		],
		[
			'a decimal with more than 3 decimals',
			(d) => [{ id: d.decimal_number.id, value: { decimalNumber: 12.3456 } }],
			() => 'doit comprendre entre 1 et 3 chiffres après le point',
		],
		[
			'a link to a dossier that does not exist',
			(d) => [{ id: d.dossier_link.id, value: { dossierLink: '99999999' } }],
			() => 'Le dossier n’existe pas',
		],
	];
	it.each(cases)('%s: the valid item beside it is saved and listed', async (name, writes, message) => {
		const d = await descriptors();
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const annotations = [{ id: d.text.id, value: { text: `saved beside ${name}` } }];
		let expected;
		if (writes) {
			annotations.push(...writes(d));
			expected = message(d);
		} else {
			const champ = (
				await gql(sandbox, `query($n:Int!){ dossier(number:$n){ champs { id } } }`, { n: number })
			).json.data.dossier.champs[0];
			annotations.push({ id: champ.id, value: { text: 'x' } });
			expected = `L‘annotation "${champ.id}" n’existe pas`;
		}
		const res = await batch(number, annotations);
		expect(res.errors).toBeUndefined();
		expect(res.data.dossierModifierAnnotations).toEqual({
			annotations: [{ id: d.text.id, stringValue: `saved beside ${name}` }],
			errors: [{ message: expected }],
		});
		expect((await annotationsOf(number)).byId[d.text.id].stringValue).toBe(`saved beside ${name}`);
	});

	it('[valid text, invalid e-mail, valid integer]: two saved and read back, one error', async () => {
		const d = await descriptors();
		const number = await freshDossier(sandbox, { groupe: who.groupe.number, state: 'en_instruction' });
		const before = (await annotationsOf(number)).byId[d.email.id].stringValue;
		const res = await batch(number, [
			{ id: d.text.id, value: { text: 'Écrit' } },
			{ id: d.email.id, value: { email: 'faux@' } },
			{ id: d.integer_number.id, value: { integerNumber: 7 } },
		]);
		expect(res.data.dossierModifierAnnotations.annotations.map((a) => a.id)).toEqual([d.text.id, d.integer_number.id]);
		expect(res.data.dossierModifierAnnotations.errors).toHaveLength(1);
		const { byId } = await annotationsOf(number);
		expect([byId[d.text.id].stringValue, byId[d.integer_number.id].integer, byId[d.email.id].stringValue]).toEqual(['Écrit', '7', before]);
	});

	it('errors come lookups first, then validations, each in input order; nothing saved gives annotations []', async () => {
		const d = await descriptors();
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const res = await batch(number, [
			{ id: d.email.id, value: { email: 'faux' } },
			{ id: gid('Champ', 1), value: { text: 'x' } },
			{ id: d.drop_down_list.id, value: { dropDownList: 'Nulle' } },
			{ id: d.text.id, value: { yesNo: true } },
		]);
		expect(res.data.dossierModifierAnnotations).toEqual({
			annotations: [],
			errors: [
				{ message: `L‘annotation "${gid('Champ', 1)}" n’existe pas` },
				{ message: `L‘annotation "${d.text.id}" n’est pas de type attendu` },
				{ message: 'est invalide. Saisissez une adresse électronique valide. Exemple : adresse@mail.com' },
				{ message: 'doit être dans les options proposées' },
			],
		});
	});

	it('repetition rows are added at once, kept when another item fails, and added again by a resend; n ≤ 0 adds none', async () => {
		const d = await descriptors();
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const rows = async () => (await annotationsOf(number)).byId[d.repetition.id].rows.length;
		const start = await rows();
		const items = [
			{ id: d.repetition.id, value: { repetition: 2 } },
			{ id: d.email.id, value: { email: 'faux' } },
		];
		const first = await batch(number, items);
		expect(first.data.dossierModifierAnnotations.annotations.map((a) => a.id)).toEqual([d.repetition.id]);
		expect(first.data.dossierModifierAnnotations.errors).toHaveLength(1);
		expect(await rows()).toBe(start + 2);
		await batch(number, items);
		expect(await rows()).toBe(start + 4);
		const none = await batch(number, [{ id: d.repetition.id, value: { repetition: -1 } }]);
		expect(none.data.dossierModifierAnnotations.errors).toBeNull();
		expect(await rows()).toBe(start + 4);
	});

	it('a repetition child named without its row is an internal error (HTTP 500), as upstream raises', async () => {
		const d = await descriptors();
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const child = d.repetition.champDescriptors.find((c) => c.type === 'text');
		const res = await gql(
			sandbox,
			`mutation($input: DossierModifierAnnotationsInput!) { dossierModifierAnnotations(input: $input) { errors { message } } }`,
			{ input: { dossierId: gid('Dossier', number), instructeurId: who.insider.id, annotations: [{ id: child.id, value: { text: 'x' } }] } },
		);
		expect(res.status).toBe(500);
		expect(res.json.errors[0].extensions.code).toBe('internal_server_error');
	});

	it('a drop-down that allows "other" takes any value', async () => {
		const d = await descriptors();
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const desc = sandbox.sandbox.store.revisions
			.get(sandbox.sandbox.store.demarches.get(1001).activeRevisionId)
			.annotations.find((a) => a.type === 'drop_down_list');
		desc.otherOption = true;
		try {
			const res = await batch(number, [{ id: d.drop_down_list.id, value: { dropDownList: 'Autre chose' } }]);
			expect(res.data.dossierModifierAnnotations.errors).toBeNull();
		} finally {
			desc.otherOption = false;
		}
	});

	it('an instructeur without access, and a read-only token', async () => {
		const d = await descriptors();
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const outsider = await mutate(
			sandbox,
			'dossierModifierAnnotations',
			{
				dossierId: gid('Dossier', number),
				instructeurId: who.outsider.id,
				annotations: [{ id: d.text.id, value: { text: 'x' } }],
			},
			'errors { message }',
		);
		expect(outsider.data.dossierModifierAnnotations.errors).toEqual([
			{ message: 'L’instructeur n’a pas les droits d’accès à ce dossier' },
		]);
		const readOnly = await batch(
			number,
			[{ id: d.text.id, value: { text: 'x' } }],
			sandbox.tokens.readOnly,
		);
		// Stopped before resolve (ready?, authorized?): annotations null, not [].
		expect(readOnly.data.dossierModifierAnnotations).toEqual({
			annotations: null,
			errors: [{ message: 'Le jeton utilisé est configuré seulement en lecture' }],
		});
		const again = await batch(number, [{ id: d.text.id, value: { text: 'x' } }]);
		expect(again.data.dossierModifierAnnotations.errors).toBeNull();
		const outsiderAgain = await mutate(
			sandbox,
			'dossierModifierAnnotations',
			{ dossierId: gid('Dossier', number), instructeurId: who.outsider.id, annotations: [{ id: d.text.id, value: { text: 'y' } }] },
			'annotations { id } errors { message }',
		);
		expect(outsiderAgain.data.dossierModifierAnnotations.annotations).toBeNull();
	});

	it('two one-of keys in one value are a GraphQL error', async () => {
		const d = await descriptors();
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const res = await batch(number, [{ id: d.text.id, value: { text: 'a', textarea: 'b' } }]);
		expect(res.data).toBeUndefined();
		expect(res.errors[0].message).toMatch(/exactly one key/i);
	});
});

describe('legacy per-type mutations', () => {
	const legacy = (
		name,
		number,
		annotationId,
		value,
		selection = 'annotation { id stringValue } errors { message }',
	) =>
		mutate(
			sandbox,
			name,
			{
				dossierId: gid('Dossier', number),
				instructeurId: who.insider.id,
				annotationId,
				...(value === undefined ? {} : { value }),
			},
			selection,
		);

	it.each([
		['dossierModifierAnnotationText', 'text', 'Relu', 'Relu'],
		['dossierModifierAnnotationText', 'textarea', 'Deux\nlignes', 'Deux\nlignes'],
		['dossierModifierAnnotationCheckbox', 'checkbox', true, 'true'],
		['dossierModifierAnnotationCheckbox', 'yes_no', true, 'true'],
		['dossierModifierAnnotationDate', 'date', '2025-01-31', '31 janvier 2025'],
		[
			'dossierModifierAnnotationDatetime',
			'datetime',
			'2025-01-31T09:05:00+01:00',
			'31 janvier 2025 09:05',
		],
		['dossierModifierAnnotationIntegerNumber', 'integer_number', 7, '7'],
		['dossierModifierAnnotationDecimalNumber', 'decimal_number', 0.25, '0.25'],
		['dossierModifierAnnotationDropDownList', 'drop_down_list', 'Haute', 'Haute'],
	])('%s on a %s annotation', async (name, type, value, stringValue) => {
		const d = await descriptors();
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const res = await legacy(name, number, d[type].id, value);
		expect(res.data[name]).toEqual({ annotation: { id: d[type].id, stringValue }, errors: null });
		expect((await annotationsOf(number)).byId[d[type].id].stringValue).toBe(stringValue);
	});

	it('dossierModifierAnnotationAjouterLigne adds one row', async () => {
		const d = await descriptors();
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const before = (await annotationsOf(number)).byId[d.repetition.id].rows.length;
		const res = await legacy(
			'dossierModifierAnnotationAjouterLigne',
			number,
			d.repetition.id,
			undefined,
			'annotation { rows { id } } errors { message }',
		);
		expect(res.data.dossierModifierAnnotationAjouterLigne.errors).toBeNull();
		expect(res.data.dossierModifierAnnotationAjouterLigne.annotation.rows).toHaveLength(before + 1);
	});

	it('refuses a type the mutation does not write (`L’annotation … n’existe pas`, U+2019), e-mail included for Text, and an option outside the list', async () => {
		const d = await descriptors();
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const wrong = await legacy('dossierModifierAnnotationCheckbox', number, d.text.id, true);
		expect(wrong.data.dossierModifierAnnotationCheckbox).toEqual({
			annotation: null,
			errors: [{ message: `L’annotation "${d.text.id}" n’existe pas` }],
		});
		const email = await legacy('dossierModifierAnnotationText', number, d.email.id, 'a@b.fr');
		expect(email.data.dossierModifierAnnotationText.errors).toEqual([{ message: `L’annotation "${d.email.id}" n’existe pas` }]);
		const option = await legacy(
			'dossierModifierAnnotationDropDownList',
			number,
			d.drop_down_list.id,
			'Urgentissime',
		);
		expect(option.data.dossierModifierAnnotationDropDownList).toEqual({
			annotation: null,
			errors: [{ message: 'doit être dans les options proposées' }],
		});
	});
});

describe('fork mode', () => {
	afterEach(() => control(sandbox, 'POST', '/modes', { forkMode: false }));

	it('removes dossierModifierAnnotations from introspection and rejects it at validation; legacy mutations still work', async () => {
		const d = await descriptors();
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		await control(sandbox, 'POST', '/modes', { forkMode: true });
		const introspection = await gql(
			sandbox,
			'{ __schema { mutationType { fields(includeDeprecated: true) { name } } } __type(name: "AnnotationValueInput") { name } }',
		);
		const names = introspection.json.data.__schema.mutationType.fields.map((f) => f.name);
		expect(names).not.toContain('dossierModifierAnnotations');
		expect(names).toContain('dossierModifierAnnotationText');
		expect(introspection.json.data.__type).toBeNull();
		const res = await gql(
			sandbox,
			`mutation($id: ID!, $i: ID!, $a: ID!) { dossierModifierAnnotations(input: {dossierId: $id, instructeurId: $i, annotations: [{id: $a, value: {text: "x"}}]}) { errors { message } } }`,
			{ id: gid('Dossier', number), i: who.insider.id, a: d.text.id },
		);
		expect(res.status).toBe(200);
		expect(res.json.data).toBeUndefined();
		expect(res.json.errors[0].message).toMatch(/Cannot query field "dossierModifierAnnotations"/);
		const text = await mutate(
			sandbox,
			'dossierModifierAnnotationText',
			{
				dossierId: gid('Dossier', number),
				instructeurId: who.insider.id,
				annotationId: d.text.id,
				value: 'fork',
			},
			'annotation { stringValue } errors { message }',
		);
		expect(text.data.dossierModifierAnnotationText).toEqual({
			annotation: { stringValue: 'fork' },
			errors: null,
		});
	});
});

describe('the value keys of PR #13561 (newer servers): every annotation type the platform writes', () => {
	const { upload } = require('./mutations-helpers');
	let demarche;
	let ids;
	beforeAll(async () => {
		demarche = await control(sandbox, 'POST', '/act/demarche', {
			title: 'Annotations de tous les types',
			annotations: [
				{ type: 'phone', label: 'Téléphone' },
				{ type: 'iban', label: 'IBAN' },
				{ type: 'formatted', label: 'Référence' },
				{ type: 'civilite', label: 'Civilité' },
				{ type: 'pays', label: 'Pays' },
				{ type: 'regions', label: 'Région' },
				{ type: 'departements', label: 'Département' },
				{ type: 'dossier_link', label: 'Dossier lié' },
				{ type: 'piece_justificative', label: 'Pièce' },
			],
		});
		ids = Object.fromEntries(demarche.annotations.map((a) => [a.type, a.id]));
	});
	const READ = `query($n: Int!) { dossier(number: $n) { annotations { id stringValue
		... on CiviliteChamp { civilite: value }
		... on PaysChamp { pays { code name } }
		... on RegionChamp { region { code name } }
		... on DepartementChamp { departement { code name } }
		... on PieceJustificativeChamp { files { filename checksum } } } } }`;
	const read = async (number) =>
		Object.fromEntries((await gql(sandbox, READ, { n: number })).json.data.dossier.annotations.map((a) => [a.id, a]));
	const dossierOf = async () => {
		const { number } = await control(sandbox, 'POST', '/act/deposit', { demarche: demarche.number });
		return number;
	};
	const write = (number, annotations) =>
		mutate(
			sandbox,
			'dossierModifierAnnotations',
			{ dossierId: gid('Dossier', number), instructeurId: sandbox.facts.instructeurs[0].id, annotations },
			'annotations { id stringValue } errors { message }',
		);

	it('writes one of each, a file included, and reads them back', async () => {
		const number = await dossierOf();
		const bytes = Buffer.from('%PDF-1.4 pièce annexe');
		const { signedBlobId } = await upload(sandbox, number, bytes, { filename: 'annexe.pdf' });
		const res = await write(number, [
			{ id: ids.phone, value: { phone: '06 12 34 56 78' } },
			{ id: ids.iban, value: { iban: 'FR7630006000011234567890189' } },
			{ id: ids.formatted, value: { formatted: 'AB-123' } },
			{ id: ids.civilite, value: { civilite: 'Mme' } },
			{ id: ids.pays, value: { pays: 'BE' } },
			{ id: ids.regions, value: { regions: 'Île-de-France' } },
			{ id: ids.departements, value: { departements: '29' } },
			{ id: ids.dossier_link, value: { dossierLink: String(sandbox.facts.everyChampDossier) } },
			{ id: ids.piece_justificative, value: { pieceJustificative: [signedBlobId] } },
		]);
		expect(res.data.dossierModifierAnnotations.errors).toBeNull();
		expect(res.data.dossierModifierAnnotations.annotations).toHaveLength(9);
		const byId = await read(number);
		expect(byId[ids.phone].stringValue).toBe('06 12 34 56 78');
		expect(byId[ids.iban].stringValue).toBe('FR76 3000 6000 0112 3456 7890 189');
		expect(byId[ids.formatted].stringValue).toBe('AB-123');
		expect(byId[ids.civilite].civilite).toBe('Mme');
		expect(byId[ids.pays].pays).toEqual({ code: 'BE', name: 'Belgique' });
		expect(byId[ids.regions].region).toEqual({ code: '11', name: 'Île-de-France' });
		expect(byId[ids.departements].departement).toEqual({ code: '29', name: 'Finistère' });
		expect(byId[ids.dossier_link].stringValue).toBe(String(sandbox.facts.everyChampDossier));
		expect(byId[ids.piece_justificative].files).toEqual([{ filename: 'annexe.pdf', checksum: require('crypto').createHash('md5').update(bytes).digest('base64') }]);
		// Files are appended: a second upload adds, never replaces.
		const second = await upload(sandbox, number, Buffer.from('seconde'), { filename: 'b.pdf' });
		await write(number, [{ id: ids.piece_justificative, value: { pieceJustificative: [second.signedBlobId] } }]);
		expect((await read(number))[ids.piece_justificative].files.map((f) => f.filename)).toEqual(['annexe.pdf', 'b.pdf']);
	});

	it('refuses what the platform refuses, with its messages', async () => {
		const number = await dossierOf();
		const res = await write(number, [
			{ id: ids.phone, value: { phone: '12' } },
			{ id: ids.iban, value: { iban: 'FR7630006000011234567890188' } },
			{ id: ids.pays, value: { pays: 'ZZ' } },
			{ id: ids.regions, value: { regions: 'Atlantide' } },
			{ id: ids.departements, value: { departements: '999' } },
		]);
		expect(res.data.dossierModifierAnnotations).toEqual({
			annotations: [],
			errors: [
				{ message: 'est invalide. Saisissez un numéro de téléphone valide. Exemple : 0612345678' },
				{ message: 'est invalide. Saisissez un numéro IBAN valide. Exemple (France) : FR76 1234 1234 1234 1234 1234 123' },
				{ message: 'Le champ « External » n’est pas inclus(e) dans la liste' },
				{ message: 'doit être un nom de région valide' },
				{ message: 'Le champ « External » doit être un code de département valide' },
			],
		});
	});

	it('a bad signed blob ID is refused before anything is loaded: annotations null, nothing written', async () => {
		const number = await dossierOf();
		const res = await write(number, [
			{ id: ids.phone, value: { phone: '0612345678' } },
			{ id: ids.piece_justificative, value: { pieceJustificative: ['forged--id'] } },
		]);
		expect(res.data.dossierModifierAnnotations).toEqual({
			annotations: null,
			errors: [{ message: 'L’identifiant du fichier téléversé est invalide' }],
		});
		expect((await read(number))[ids.phone].stringValue).toBeNull();
	});

	it('an older server (before PR #13561) has no such keys: a validation error; the types are "n’existe pas"', async () => {
		const number = await dossierOf();
		await control(sandbox, 'POST', '/modes', { olderServer: true });
		try {
			const res = await write(number, [{ id: ids.phone, value: { phone: '0612345678' } }]);
			expect(res.data).toBeUndefined();
			expect(res.errors[0].message).toMatch(/phone/);
			const asText = await write(number, [{ id: ids.phone, value: { text: '0612345678' } }]);
			expect(asText.data.dossierModifierAnnotations.errors).toEqual([{ message: `L‘annotation "${ids.phone}" n’existe pas` }]);
		} finally {
			await control(sandbox, 'POST', '/modes', { olderServer: false });
		}
	});
});

describe('ISO8601Date input, as Date.iso8601 reads it', () => {
	it.each(['20250630', '2025-W27-1', '2025-181', '2025-06-30T23:30:00+02:00'])('%s is 2025-06-30', async (input) => {
		const d = await descriptors();
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const res = await batch(number, [{ id: d.date.id, value: { date: input } }]);
		expect(res.data.dossierModifierAnnotations.errors).toBeNull();
		expect((await annotationsOf(number)).byId[d.date.id].date).toBe('2025-06-30');
	});
});
