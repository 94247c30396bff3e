'use strict';
/**
 * Version 2 of Update Annotations and Create Prefilled: n8n's resource mapper. The columns come
 * from the resource mapper methods called as n8n's editor calls them (a LoadOptionsContext over
 * the sandbox's HTTP API); the workflows then run in n8n's real engine with those columns as the
 * editor saves them (value + schema: n8n validates and converts each value by its column type),
 * and every write is read back from the sandbox's GraphQL API. Démarche 1001 is the seed's form
 * with every champ and annotation type (sandbox/lib/demarches.js).
 */
const { startSandbox } = require('../../sandbox');
const { adminData } = require('../sandbox/helpers');
const { NODE_TYPES, jsonOf, loadResourceMapperFields, runWorkflow } = require('../helpers/engine');
const { forgetCapabilities } = require('../helpers/capabilities');

const EVERY = 1001;
const CLAIRE = 'claire.martin@demarches-exemple.gouv.fr'; // instructeur of both groupes of démarche 1001

let sb;
let numbers; // dossiers of démarche 1001 other than the showcase one
let descriptors; // read straight from the sandbox, to check the columns' IDs
beforeAll(async () => {
	sb = await startSandbox({ size: 300 });
	const data = await gql(`{ demarche(number: ${EVERY}) { dossiers(first: 30) { nodes { number } } } }`);
	numbers = data.demarche.dossiers.nodes.map((n) => n.number).filter((n) => n !== sb.facts.everyChampDossier);
	const form = await gql(`{ demarche(number: ${EVERY}) { activeRevision {
		champDescriptors { __typename id label required }
		annotationDescriptors { __typename id label required ... on RepetitionChampDescriptor { champDescriptors { id label } } } } } }`);
	descriptors = form.demarche.activeRevision;
});
afterAll(async () => {
	await sb?.stop();
});
beforeEach(async () => {
	forgetCapabilities();
	await post('/modes', { olderServer: false });
});

async function post(path, body) {
	const response = await fetch(`${sb.controlUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
	if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
	return response.json();
}
const gql = (query, variables) => adminData(sb, query, variables);

const credentials = () => ({ demarcheNumeriqueApi: { baseUrl: sb.url, token: sb.tokens.admin } });
const rl = (value) => ({ __rl: true, mode: 'id', value: String(value) });
const byEmail = { __rl: true, mode: 'email', value: CLAIRE };
let next = 0;
async function dossierInInstruction() {
	const number = numbers[next++];
	await post('/act/state', { number, state: 'en_instruction' });
	return number;
}

const columns = (operation, demarche = EVERY) =>
	loadResourceMapperFields({
		node: { type: NODE_TYPES.action, parameters: { resource: 'dossier', operation, demarche: rl(demarche) } },
		method: operation === 'updateAnnotations' ? 'getAnnotationColumns' : 'getChampColumns',
		credentials: credentials(),
	});
const byLabel = (fields) => Object.fromEntries(fields.map((f) => [f.displayName.replace(/ \(.*\)$/, ''), f]));
const idOf = (list, label) => list.find((d) => d.label === label).id;

/** The columns parameter as n8n's editor saves it: the values by column ID, and the schema. */
function mapped(fields, values) {
	const fieldByLabel = byLabel(fields);
	const value = {};
	for (const [label, v] of Object.entries(values)) {
		if (!fieldByLabel[label]) throw new Error(`no column "${label}"`);
		value[fieldByLabel[label].id] = v;
	}
	return { mappingMode: 'defineBelow', value, matchingColumns: [], schema: fields, attemptToConvertTypes: false, convertFieldsToString: false };
}

describe('the columns of démarche 1001 (every type)', () => {
	it('Update Annotations: each annotation with its n8n type, options, and the reason it cannot be written', async () => {
		const { fields } = await columns('updateAnnotations');
		const annotations = descriptors.annotationDescriptors;
		// One column per annotation, keyed by its champ ID, in the form's order.
		expect(fields.map((f) => f.id)).toEqual(annotations.map((a) => a.id));
		const col = byLabel(fields);
		const typeOf = (label) => [col[label].type, col[label].readOnly === true];
		expect(typeOf('Note interne')).toEqual(['string', false]);
		expect(typeOf('Avis détaillé')).toEqual(['string', false]);
		expect(typeOf('E-mail du référent')).toEqual(['string', false]);
		expect(typeOf('Pièces vérifiées')).toEqual(['boolean', false]);
		expect(typeOf('Visite sur place nécessaire')).toEqual(['boolean', false]);
		// n8n shows a switch off and sends false: yes/no columns start removed, added by choice.
		expect(col['Pièces vérifiées'].removed).toBe(true);
		expect(col['Note interne'].removed).toBeUndefined();
		expect(typeOf('Date de la commission')).toEqual(['dateTime', false]);
		expect(typeOf('Rendez-vous')).toEqual(['dateTime', false]);
		expect(typeOf('Score')).toEqual(['number', false]);
		expect(typeOf('Montant accordé')).toEqual(['number', false]);
		expect(col.Priorité).toMatchObject({ type: 'options', options: [{ name: 'Haute', value: 'Haute' }, { name: 'Normale', value: 'Normale' }, { name: 'Basse', value: 'Basse' }] });
		expect(col['Services consultés']).toMatchObject({ type: 'multiOptions', options: ['Urbanisme', 'Voirie', 'Finances', 'Juridique'].map((o) => ({ name: o, value: o })) });
		expect(typeOf('Dossier précédent')).toEqual(['string', false]);
		expect(col.Contrôles.type).toBe('array');
		expect(col.Contrôles.displayName).toBe('Contrôles (rows: [{"Date du contrôle": …, "Résultat": …}])');
		// The 2026 types (PR #13561): this sandbox is a newer server.
		expect(typeOf('Téléphone du référent')).toEqual(['string', false]);
		expect(typeOf('IBAN du bénéficiaire')).toEqual(['string', false]);
		expect(col['Civilité du référent']).toMatchObject({ type: 'options', options: [{ name: 'M.', value: 'M.' }, { name: 'Mme', value: 'Mme' }] });
		expect(typeOf('Pays du partenaire')).toEqual(['string', false]);
		expect(typeOf('Région du projet')).toEqual(['string', false]);
		expect(typeOf('Département du projet')).toEqual(['string', false]);
		expect(typeOf('Rapport de visite')).toEqual(['string', false]);
		expect(col['Rapport de visite'].displayName).toBe('Rapport de visite (input binary property, e.g. data)');
		// The API cannot write a commune annotation: listed, read-only, removed, with the reason.
		expect(col['Commune du site']).toMatchObject({ readOnly: true, removed: true, displayName: 'Commune du site (Commune: the API cannot write this type)' });
		// No annotation of the seed is required (the flag follows the descriptor's).
		expect(fields.map((f) => f.required)).toEqual(annotations.map((a) => a.required));
	});

	it('Update Annotations on an older server: the 2026 types are read-only, with the reason', async () => {
		await post('/modes', { olderServer: true });
		const col = byLabel((await columns('updateAnnotations')).fields);
		for (const label of ['Téléphone du référent', 'IBAN du bénéficiaire', 'Civilité du référent', 'Pays du partenaire', 'Région du projet', 'Département du projet', 'Rapport de visite']) {
			expect(col[label]).toMatchObject({ readOnly: true, removed: true });
			expect(col[label].displayName).toMatch(/this server cannot write this type \(added to the platform in 2026, PR #13561\)\)$/);
		}
		expect(col['Note interne'].readOnly).toBeUndefined();
		expect(col['Dossier précédent'].readOnly).toBeUndefined();
	});

	it('Create Prefilled: each champ with its type and required flag; the ones the platform cannot prefill read-only', async () => {
		const { fields } = await columns('createPrefilled');
		const champs = descriptors.champDescriptors.filter((c) => !/^(HeaderSection|Explication)/.test(c.__typename));
		expect(fields.map((f) => f.id)).toEqual(champs.map((c) => c.id));
		// The required flags are the form's.
		expect(fields.filter((f) => f.required).map((f) => f.displayName)).toEqual(['Nom du projet']);
		expect(champs.filter((c) => c.required).map((c) => c.label)).toEqual(['Nom du projet', 'Justificatif de domicile']);
		const col = byLabel(fields);
		// A file cannot be prefilled: read-only with the reason (its required flag is moot).
		expect(col['Justificatif de domicile']).toMatchObject({ readOnly: true, removed: true, displayName: 'Justificatif de domicile (PieceJustificative: the platform cannot prefill this type)' });
		for (const label of ['Secteur et activité', 'Emprise du projet', 'Numéro RNA', 'Numéro RNF', 'Engagement juridique', 'Titre d’identité']) {
			expect([label, col[label].readOnly]).toEqual([label, true]);
		}
		expect(col['Population concernée'].type).toBe('number');
		expect(col['J’accepte les conditions générales'].type).toBe('boolean');
		expect(col['Date de début'].type).toBe('dateTime');
		// "Autre" is allowed: a free text naming the options.
		expect(col['Type de structure']).toMatchObject({ type: 'string', displayName: 'Type de structure (Association, Entreprise, Collectivité, Particulier or another value)' });
		expect(col['Publics visés'].type).toBe('multiOptions');
		expect(col['Membres du bureau'].type).toBe('array');
		expect(col.Civilité.type).toBe('options');
		// Two champs labelled "Commentaire" are told apart as the simplified dossier does.
		expect(fields.map((f) => f.displayName).filter((n) => n.startsWith('Commentaire'))).toEqual(['Commentaire', 'Commentaire (2)']);
	});

	it('no démarche picked: a message that asks for one', async () => {
		const error = await columns('updateAnnotations', '').catch((e) => e);
		expect(error.message).toBe('Pick a démarche first: its form gives the columns');
	});
});

describe('a mapped Update Annotations (version 2)', () => {
	const READ = `query($n: Int!) { dossier(number: $n) { annotations { id label stringValue
		... on CheckboxChamp { checkbox: value } ... on YesNoChamp { yesNo: value } ... on DateChamp { date }
		... on DatetimeChamp { datetime } ... on IntegerNumberChamp { integerNumber: value }
		... on DecimalNumberChamp { decimalNumber: value } ... on MultipleDropDownListChamp { values }
		... on DossierLinkChamp { dossier { number } } ... on CiviliteChamp { civilite: value }
		... on PaysChamp { pays { code } } ... on RegionChamp { region { code } } ... on DepartementChamp { departement { code } }
		... on PieceJustificativeChamp { files { filename checksum } }
		... on RepetitionChamp { rows { champs { label stringValue } } } } } }`;
	const read = async (number) => Object.fromEntries((await gql(READ, { n: number })).dossier.annotations.map((a) => [a.label, a]));

	it('writes every writable type, rows filled, and each reads back from the sandbox', async () => {
		const number = await dossierInInstruction();
		const before = await read(number);
		const rowsBefore = before.Contrôles.rows.length;
		const { fields } = await columns('updateAnnotations');
		const bytes = Buffer.from('%PDF-1.4\nRapport de visite\n', 'utf8');
		const result = await runWorkflow({
			nodes: [{
				type: NODE_TYPES.action,
				parameters: {
					resource: 'dossier',
					operation: 'updateAnnotations',
					dossier: rl(number),
					instructeur: byEmail,
					demarche: rl(EVERY),
					columns: mapped(fields, {
						'Note interne': 'Écrite par colonnes',
						'Avis détaillé': 'Avis favorable\nsous réserve',
						'E-mail du référent': 'referent.sud@demarches-exemple.gouv.fr',
						'Pièces vérifiées': true,
						'Visite sur place nécessaire': false,
						'Date de la commission': '2026-09-12',
						'Rendez-vous': '2026-09-14T14:30:00',
						Score: '42',
						'Montant accordé': 1500.5,
						Priorité: 'Basse',
						'Services consultés': ['Voirie', 'Finances'],
						'Dossier précédent': String(sb.facts.everyChampDossier),
						Contrôles: [{ 'Date du contrôle': '2026-10-01', Résultat: 'Conforme' }, { Résultat: 'À revoir' }],
						'Téléphone du référent': '06 12 34 56 78',
						'IBAN du bénéficiaire': 'FR76 3000 6000 0112 3456 7890 189',
						'Civilité du référent': 'Mme',
						'Pays du partenaire': 'BE',
						'Région du projet': 'Bretagne',
						'Département du projet': '29',
						'Rapport de visite': 'rapport',
						// Left empty: not written.
						'Commune du site': null,
					}),
				},
			}],
			credentials: credentials(),
			settings: { timezone: 'Europe/Paris' },
			input: [{ json: {}, binary: { rapport: { data: bytes.toString('base64'), fileName: 'rapport.pdf', mimeType: 'application/pdf' } } }],
		});
		expect(result.error).toBeUndefined();
		const [json] = jsonOf(result.items('Démarche Numérique'));
		expect(json.failed).toEqual([]);
		const a = await read(number);
		expect(a['Note interne'].stringValue).toBe('Écrite par colonnes');
		expect(a['Avis détaillé'].stringValue).toBe('Avis favorable\nsous réserve');
		expect(a['E-mail du référent'].stringValue).toBe('referent.sud@demarches-exemple.gouv.fr');
		expect(a['Pièces vérifiées'].checkbox).toBe(true);
		expect(a['Visite sur place nécessaire'].yesNo).toBe(false);
		expect(a['Date de la commission'].date).toBe('2026-09-12');
		// No offset: read in the workflow's time zone (Paris, summer time).
		expect(a['Rendez-vous'].datetime).toBe('2026-09-14T14:30:00+02:00');
		expect(a.Score.integerNumber).toBe('42');
		expect(a['Montant accordé'].decimalNumber).toBe(1500.5);
		expect(a.Priorité.stringValue).toBe('Basse');
		expect(a['Services consultés'].values).toEqual(['Voirie', 'Finances']);
		expect(a['Dossier précédent'].dossier.number).toBe(sb.facts.everyChampDossier);
		const rows = a.Contrôles.rows.slice(rowsBefore);
		expect(rows.map((r) => Object.fromEntries(r.champs.map((c) => [c.label, c.stringValue])))).toEqual([
			{ 'Date du contrôle': '1 octobre 2026', Résultat: 'Conforme' },
			{ 'Date du contrôle': null, Résultat: 'À revoir' },
		]);
		expect(a['Téléphone du référent'].stringValue).toBe('06 12 34 56 78');
		expect(a['IBAN du bénéficiaire'].stringValue).toBe('FR76 3000 6000 0112 3456 7890 189');
		expect(a['Civilité du référent'].civilite).toBe('Mme');
		expect(a['Pays du partenaire'].pays.code).toBe('BE');
		expect(a['Région du projet'].region.code).toBe('53');
		expect(a['Département du projet'].departement.code).toBe('29');
		// Files are added to the annotation's (the seed may have put some there).
		expect(a['Rapport de visite'].files.map((f) => f.filename)).toEqual([...before['Rapport de visite'].files.map((f) => f.filename), 'rapport.pdf']);
		// Every column written is reported, the rows' fields by row.
		expect(json.written).toEqual(expect.arrayContaining(['Note interne', 'Contrôles', 'Contrôles row 1: Date du contrôle', 'Contrôles row 1: Résultat', 'Contrôles row 2: Résultat', 'Rapport de visite']));
		// 20 columns (every annotation but the commune) and the rows' 3 fields.
		expect(json.written).toHaveLength(23);
	});

	it('a value of the wrong kind fails before anything is sent, naming the column', async () => {
		const number = await dossierInInstruction();
		const before = await read(number);
		const { fields } = await columns('updateAnnotations');
		const result = await runWorkflow({
			nodes: [{ type: NODE_TYPES.action, parameters: { resource: 'dossier', operation: 'updateAnnotations', dossier: rl(number), instructeur: byEmail, demarche: rl(EVERY), columns: mapped(fields, { 'Note interne': 'ne doit pas être écrite', Contrôles: [{ 'Date du contrôle': 'hier' }], 'IBAN du bénéficiaire': 'FR76 0000' }) } }],
			credentials: credentials(),
		});
		expect(result.error.message).toMatch(/"Contrôles" row 1: "hier" is not a date/);
		expect(result.error.message).toMatch(/"FR76 0000" is not a valid IBAN/);
		expect(result.error.description).toMatch(/^Nothing was sent\. Fix the listed columns/);
		expect((await read(number))['Note interne'].stringValue).toBe(before['Note interne'].stringValue);
	});

	it('a dossier of another démarche is refused before anything is sent', async () => {
		const other = (await gql('{ demarche(number: 1002) { dossiers(first: 1, state: en_construction) { nodes { number } } } }')).demarche.dossiers.nodes[0].number;
		const { fields } = await columns('updateAnnotations');
		const result = await runWorkflow({
			nodes: [{ type: NODE_TYPES.action, parameters: { resource: 'dossier', operation: 'updateAnnotations', dossier: rl(other), instructeur: { __rl: true, mode: 'id', value: sb.facts.instructeurs[0].id }, demarche: rl(EVERY), columns: mapped(fields, { 'Note interne': 'x' }) } }],
			credentials: credentials(),
		});
		expect(result.error.message).toBe(`Dossier ${other} belongs to démarche 1002, not to démarche 1001 whose annotations are mapped`);
	});

	it('a workflow saved with version 1 (annotations by label) still runs', async () => {
		const number = await dossierInInstruction();
		const result = await runWorkflow({
			nodes: [{ type: NODE_TYPES.action, typeVersion: 1, parameters: { resource: 'dossier', operation: 'updateAnnotations', dossier: rl(number), instructeur: byEmail, annotations: { annotation: [{ annotation: 'Score', value: '7' }, { annotation: 'Priorité', value: 'Haute' }] } } }],
			credentials: credentials(),
		});
		expect(result.error).toBeUndefined();
		const a = await read(number);
		expect([a.Score.integerNumber, a.Priorité.stringValue]).toEqual(['7', 'Haute']);
	});
});

describe('a démarche given by its public link (…/commencer/<path>)', () => {
	it('gives the same columns as its number, and Create Prefilled resolves it', async () => {
		const { demarcheDescriptor } = await gql('{ demarcheDescriptor(demarche: {number: 1001}) { demarcheURL } }');
		const link = { __rl: true, mode: 'url', value: demarcheDescriptor.demarcheURL };
		const viaLink = await loadResourceMapperFields({
			node: { type: NODE_TYPES.action, parameters: { resource: 'dossier', operation: 'createPrefilled', demarche: link } },
			method: 'getChampColumns',
			credentials: credentials(),
		});
		const { fields } = await columns('createPrefilled');
		expect(viaLink.fields).toEqual(fields);
		const result = await runWorkflow({
			nodes: [{
				type: NODE_TYPES.action,
				parameters: {
					resource: 'dossier',
					operation: 'createPrefilled',
					demarche: link,
					columns: mapped(fields, { 'Nom du projet': 'Jardin du lien public' }),
				},
			}],
			credentials: credentials(),
		});
		expect(result.error).toBeUndefined();
		const [json] = jsonOf(result.items('Démarche Numérique'));
		expect(json.state).toBe('prefilled');
		await post('/act/prefilled', { token: json.prefillToken, action: 'submit' });
		const data = await gql('query($n: Int!) { dossier(number: $n) { demarche { number } champs { label stringValue } } }', { n: json.dossierNumber });
		expect(data.dossier.demarche.number).toBe(EVERY);
		expect(data.dossier.champs.find((c) => c.label === 'Nom du projet').stringValue).toBe('Jardin du lien public');
	});
});

describe('a mapped Create Prefilled (version 2)', () => {
	it('prefills typed columns, rows by label, and the usager finds the values', async () => {
		const { fields } = await columns('createPrefilled');
		const result = await runWorkflow({
			nodes: [{
				type: NODE_TYPES.action,
				parameters: {
					resource: 'dossier',
					operation: 'createPrefilled',
					demarche: rl(EVERY),
					columns: mapped(fields, {
						'Nom du projet': 'Verger partagé',
						'Population concernée': 1200,
						'Montant en euros': '2500.75',
						'J’accepte les conditions générales': true,
						'Date de début': '2026-05-04',
						'Date et heure du rendez-vous': '2026-05-06T09:15:00',
						'Type de structure': 'Association',
						'Publics visés': ['Enfants', 'Adultes'],
						Civilité: 'Mme',
						'Pays de naissance': 'FR',
						'Membres du bureau': [{ 'Nom et prénom': 'Léa Morel', Fonction: 'Président' }, { 'Nom et prénom': 'Yann Le Gall', Fonction: 'Trésorier' }],
					}),
				},
			}],
			credentials: credentials(),
			settings: { timezone: 'Europe/Paris' },
		});
		expect(result.error).toBeUndefined();
		const [json] = jsonOf(result.items('Démarche Numérique'));
		expect(json.state).toBe('prefilled');
		await post('/act/prefilled', { token: json.prefillToken, action: 'submit' });
		const data = await gql(`query($n: Int!) { dossier(number: $n) { champs { label stringValue
			... on DatetimeChamp { datetime } ... on MultipleDropDownListChamp { values }
			... on RepetitionChamp { rows { champs { label stringValue } } } } } }`, { n: json.dossierNumber });
		const c = Object.fromEntries(data.dossier.champs.map((x) => [x.label, x]));
		expect(c['Nom du projet'].stringValue).toBe('Verger partagé');
		expect(c['Population concernée'].stringValue).toBe('1200');
		expect(c['Montant en euros'].stringValue).toBe('2500.75');
		expect(c['J’accepte les conditions générales'].stringValue).toBe('true');
		expect(c['Date de début'].stringValue).toBe('4 mai 2026');
		expect(c['Date et heure du rendez-vous'].datetime).toBe('2026-05-06T09:15:00+02:00');
		expect(c['Type de structure'].stringValue).toBe('Association');
		expect(c['Publics visés'].values).toEqual(['Enfants', 'Adultes']);
		expect(c['Membres du bureau'].rows.map((r) => Object.fromEntries(r.champs.map((x) => [x.label, x.stringValue])))).toEqual([
			{ 'Nom et prénom': 'Léa Morel', Fonction: 'Président', 'Date d’entrée': null },
			{ 'Nom et prénom': 'Yann Le Gall', Fonction: 'Trésorier', 'Date d’entrée': null },
		]);
	});
});
