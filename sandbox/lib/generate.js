'use strict';
/**
 * Lazy, deterministic dossier content: raw champ values from (seed, dossier number), and the
 * builders that turn raw values (seeded or overridden by mutations) into the objects the
 * GraphQL resolvers serve.
 *
 * Raw value formats (what store overrides must use too):
 *   text/textarea/email/phone/iban/formatted: string; date: 'YYYY-MM-DD'; datetime: epoch ms;
 *   checkbox: boolean; yes_no: boolean|null; integer_number: string (BigInt); decimal_number: number;
 *   drop_down_list: string; multiple_drop_down_list: string[]; linked_drop_down_list: {primary, secondary};
 *   piece_justificative: FileRef[]; repetition: [{rowId, values: {[stableId]: raw}}]; carte: GeoArea[];
 *   address: {label, streetNumber, streetName, postalCode, cityName, cityCode, dep, lon, lat};
 *   communes: commune code; departements/regions/pays/epci: code; siret: siret string; rna/rnf: id;
 *   civilite: 'M'|'Mme'; dossier_link: dossier number; engagement_juridique: {montantEngage, montantPaye};
 *   titre_identite: {grantType}; header_section/explication: null.
 * FileRef: {key, filename, contentType, byteSize, createdAt (ms)}: `key` names the bytes for storage.
 */
const { rng, Rng, mix, hashString, globalId, formatDateTime, frenchLongDate } = require('./util');
const C = require('./catalog');

const DAY = 86400000;

function communeByCode(code) {
	return C.COMMUNES.find((c) => c.code === code) || null;
}

function departementObject(code) {
	const d = C.DEPARTEMENTS[code];
	return d ? { code, name: d.name } : null;
}

function addressFrom(r) {
	const commune = r.pick(C.COMMUNES);
	const streetNumber = String(r.int(1, 120));
	const streetName = r.pick(C.STREETS);
	return {
		label: `${streetNumber} ${streetName} ${commune.postalCode} ${commune.name.replace(/ \d+e Arrondissement$/, '')}`,
		streetNumber,
		streetName,
		postalCode: commune.postalCode,
		cityName: commune.name,
		cityCode: commune.code,
		dep: commune.dep,
		lon: +(commune.lon + (r.next() - 0.5) / 100).toFixed(6),
		lat: +(commune.lat + (r.next() - 0.5) / 100).toFixed(6),
	};
}

/** 14-digit SIRET with a valid Luhn key, from a SIREN. */
function siretFor(siren, r) {
	const base = siren + String(r.int(1, 99)).padStart(3, '0');
	for (let k = 0; k < 100; k++) {
		const candidate = base + String(k).padStart(2, '0');
		let sum = 0;
		for (let i = 0; i < 14; i++) {
			let digit = Number(candidate[13 - i]);
			if (i % 2 === 1) {
				digit *= 2;
				if (digit > 9) digit -= 9;
			}
			sum += digit;
		}
		if (sum % 10 === 0) return candidate;
	}
	return base + '00';
}

const PDF = 'application/pdf';

function fileRef(key, filename, contentType, byteSize, createdAt) {
	return { key, filename, contentType, byteSize, createdAt };
}

const LOREM = [
	'Projet porté par des bénévoles du quartier.',
	'Le dossier est complet, merci de votre retour rapide.',
	'Nous souhaitons organiser une animation ouverte à tous les habitants.',
	'Les travaux dureront environ trois semaines.',
	'Voir la pièce jointe pour le détail du budget.',
];

/**
 * Deterministic raw value for one descriptor.
 * @param {object} desc @param {ReturnType<typeof rng>} r @param {{number: number, depotAt: number, siblings: number[]}} ctx
 */
function rawValue(desc, r, ctx) {
	const fileSlot = () => `s${ctx.number}-${desc.stableId}`;
	switch (desc.type) {
		case 'header_section':
		case 'explication':
			return null;
		case 'text':
			return r.chance(0.9)
				? `${r.pick(['Projet', 'Demande', 'Dossier'])} ${r.pick(C.NOMS)} ${r.int(1, 999)}`
				: null;
		case 'textarea':
			return r.chance(0.85) ? `${r.pick(LOREM)}\n${r.pick(LOREM)}` : null;
		case 'email':
			return `${r.pick(C.PRENOMS_ASCII)}.${r.pick(C.NOMS_ASCII)}@exemple.fr`;
		case 'phone':
			return `06 ${r.int(10, 99)} ${r.int(10, 99)} ${r.int(10, 99)} ${r.int(10, 99)}`;
		case 'iban':
			return `FR76 3000 6000 01${r.int(10, 99)} 3456 7890 1${r.int(10, 99)}`;
		case 'date':
			return new Date(ctx.depotAt + r.int(-400, 200) * DAY).toISOString().slice(0, 10);
		case 'datetime':
			return Math.floor((ctx.depotAt + r.int(1, 90) * DAY) / 900000) * 900000;
		case 'checkbox':
			return r.chance(0.7);
		case 'yes_no':
			return r.chance(0.1) ? null : r.chance(0.5);
		case 'integer_number':
			return String(r.int(0, 5000));
		case 'decimal_number':
			return Math.round(r.next() * 5000000) / 100;
		case 'drop_down_list':
			return r.chance(0.95) ? r.pick(desc.options) : null;
		case 'multiple_drop_down_list':
			return desc.options.filter(() => r.chance(0.4));
		case 'linked_drop_down_list': {
			const primaries = [];
			desc.options.forEach((o, i) => {
				if (o.startsWith('--')) primaries.push(i);
			});
			const p = r.pick(primaries);
			const end = primaries.find((i) => i > p) || desc.options.length;
			return {
				primary: desc.options[p].replace(/^--|--$/g, ''),
				secondary: desc.options[r.int(p + 1, end - 1)],
			};
		}
		case 'piece_justificative': {
			const count = r.chance(0.1) ? 0 : r.chance(0.8) ? 1 : 2;
			const files = [];
			for (let i = 0; i < count; i++) {
				const size = r.int(300, 6000);
				files.push(
					fileRef(
						`${fileSlot()}-${i}-${size}`,
						`${desc.label
							.toLowerCase()
							.replace(/[^a-z0-9]+/g, '-')
							.replace(/^-|-$/g, '')}-${i + 1}.pdf`,
						PDF,
						size,
						ctx.depotAt - r.int(1, 5) * DAY,
					),
				);
			}
			return files;
		}
		case 'repetition': {
			const rows = [];
			const count = r.int(0, 3);
			for (let i = 0; i < count; i++) {
				const values = {};
				for (const child of desc.children) values[child.stableId] = rawValue(child, r, ctx);
				rows.push({ rowId: `${ctx.number}${String(desc.stableId).slice(-2)}${i}`, values });
			}
			return rows;
		}
		case 'carte': {
			const commune = r.pick(C.COMMUNES);
			const areas = [];
			const lon = commune.lon + (r.next() - 0.5) / 50;
			const lat = commune.lat + (r.next() - 0.5) / 50;
			const d = 0.0005 + r.next() / 1000;
			const polygon = [
				[
					[lon, lat],
					[lon + d, lat],
					[lon + d, lat + d],
					[lon, lat + d],
					[lon, lat],
				],
			].map((ring) => ring.map(([x, y]) => [+x.toFixed(6), +y.toFixed(6)]));
			areas.push({
				id: `${ctx.number}1`,
				source: 'selection_utilisateur',
				description: 'Zone du projet',
				geometry: { type: 'Polygon', coordinates: polygon },
			});
			if (r.chance(0.5)) {
				areas.push({
					id: `${ctx.number}2`,
					source: 'cadastre',
					description: null,
					geometry: { type: 'Polygon', coordinates: polygon },
					commune: commune.code,
					prefixe: '000',
					section: r.pick(['AB', 'AC', 'BK', 'ZA']),
					numero: String(r.int(1, 400)),
					surface: String(r.int(80, 2000)),
				});
			}
			return areas;
		}
		case 'address':
			return addressFrom(r);
		case 'communes':
			return r.pick(C.COMMUNES).code;
		case 'departements':
			return r.pick(Object.keys(C.DEPARTEMENTS));
		case 'regions':
			return r.pick(Object.keys(C.REGIONS));
		case 'pays':
			return r.pick(C.PAYS).code;
		case 'epci':
			return r.pick(C.EPCIS).code;
		case 'siret':
			return siretFor(r.pick(C.ENTREPRISES).siren, r);
		case 'rna':
			return r.pick(C.ASSOCIATIONS).rna;
		case 'rnf':
			return `0${r.int(10, 95)}-FDD-${String(r.int(1, 99999)).padStart(5, '0')}-01`;
		case 'civilite':
			return r.chance(0.5) ? 'M' : 'Mme';
		case 'dossier_link':
			return ctx.siblings.length && r.chance(0.6) ? r.pick(ctx.siblings) : null;
		case 'engagement_juridique':
			return { montantEngage: String(r.int(1000, 90000)), montantPaye: String(r.int(0, 1000)) };
		case 'titre_identite':
			return { grantType: r.chance(0.8) ? 'piece_justificative' : 'france_connect' };
		default:
			return null;
	}
}

/** Raw values of a list of descriptors, keyed by stable id. */
function rawValues(descs, seed, kind, ctx) {
	const base = hashString(`${seed}|${kind}|${ctx.number}`);
	const values = {};
	for (const desc of descs) {
		// One stream per champ: changing a form does not reshuffle the other champs' values.
		values[desc.stableId] = rawValue(desc, new Rng(mix(base, desc.stableId)), ctx);
	}
	return values;
}

// --- from raw values to served objects -----------------------------------------------------

function departementOf(code) {
	return departementObject(code);
}

const etablissementCache = new Map();

/** The PersonneMorale served for a SIRET (deterministic, shared read-only object). */
function etablissementFor(siret) {
	let cached = etablissementCache.get(siret);
	if (!cached) {
		if (etablissementCache.size > 5000) etablissementCache.clear();
		cached = buildEtablissement(siret);
		etablissementCache.set(siret, cached);
	}
	return cached;
}

function buildEtablissement(siret) {
	const entreprise = C.ENTREPRISES.find((e) => siret.startsWith(e.siren)) || C.ENTREPRISES[0];
	const r = rng('etablissement', siret);
	const address = addressFrom(r);
	return {
		__typename: 'PersonneMorale',
		id: globalId('Etablissement', siret),
		siret,
		siegeSocial: siret.endsWith('00017') || r.chance(0.5),
		naf: entreprise.naf,
		libelleNaf: entreprise.libelleNaf,
		address: addressObject(address),
		association: null,
		entreprise: {
			siren: entreprise.siren,
			raisonSociale: entreprise.raisonSociale,
			nomCommercial: entreprise.raisonSociale,
			siretSiegeSocial: siret,
			formeJuridique: entreprise.forme,
			formeJuridiqueCode: entreprise.formeCode,
			capitalSocial: String(r.int(1, 500) * 1000),
			codeEffectifEntreprise: '12',
			dateCreation: '2012-04-02',
			etatAdministratif: 'Actif',
			inlineAdresse: address.label,
			numeroTvaIntracommunautaire: `FR${String(r.int(10, 99))}${entreprise.siren}`,
			enseigne: null,
			nom: null,
			prenom: null,
			effectifAnnuel: { nb: r.int(3, 200), periode: '2024' },
			effectifMensuel: null,
		},
	};
}

/** The platform's Address object from a raw address. */
function addressObject(a) {
	const dep = C.DEPARTEMENTS[a.dep];
	return {
		label: a.label,
		type: 'housenumber',
		streetAddress: `${a.streetNumber} ${a.streetName}`,
		streetNumber: a.streetNumber,
		streetName: a.streetName,
		postalCode: a.postalCode,
		cityName: a.cityName,
		cityCode: a.cityCode,
		departmentCode: a.dep,
		departmentName: dep ? dep.name : null,
		regionCode: dep ? dep.region : null,
		regionName: dep ? C.REGIONS[dep.region] : null,
		countryCode: 'FR',
		countryName: 'France',
		geometry: { type: 'Point', coordinates: [a.lon, a.lat] },
	};
}

function associationFor(rnaId) {
	const a = C.ASSOCIATIONS.find((x) => x.rna === rnaId) || C.ASSOCIATIONS[0];
	return a;
}

/**
 * Build the served champ object for a descriptor and its raw value.
 * `kind` is the platform type; resolvers pick the GraphQL type from it and the query's fragments.
 * @param {object} desc @param {*} raw @param {{updatedAt: number, prefilled?: boolean, rowId?: string}} meta
 */
function buildChamp(desc, raw, meta) {
	if (!desc.gid) desc.gid = globalId('Champ', desc.stableId);
	const champ = {
		kind: desc.type,
		id: meta.rowId ? globalId('Champ', `${desc.stableId}|${meta.rowId}`) : desc.gid,
		champDescriptorId: desc.gid,
		label: desc.label,
		stringValue: null,
		updatedAt: meta.updatedAtText || formatDateTime(meta.updatedAt),
		prefilled: Boolean(meta.prefilled),
	};
	const blank = raw === null || raw === undefined;
	switch (desc.type) {
		case 'header_section':
			champ.level = desc.level || 1;
			break;
		case 'explication':
			break;
		case 'text':
		case 'textarea':
		case 'email':
		case 'phone':
		case 'iban':
		case 'formatted':
		case 'drop_down_list':
			champ.stringValue = blank ? null : String(raw);
			break;
		case 'date':
			champ.date = blank ? null : raw;
			champ.stringValue = blank ? null : frenchLongDate(raw);
			break;
		case 'datetime':
			champ.datetime = blank ? null : formatDateTime(raw);
			champ.date = blank ? null : champ.datetime.slice(0, 10);
			champ.stringValue = blank
				? null
				: `${frenchLongDate(champ.date)} ${champ.datetime.slice(11, 16)}`;
			break;
		case 'checkbox':
		case 'yes_no':
			champ.bool = blank ? null : Boolean(raw);
			champ.stringValue =
				desc.type === 'checkbox' ? String(raw === true) : blank ? null : String(raw);
			break;
		case 'integer_number':
			champ.integer = blank ? null : String(raw);
			champ.stringValue = champ.integer;
			break;
		case 'decimal_number':
			champ.decimal = blank ? null : Number(raw);
			champ.stringValue = blank ? null : String(raw);
			break;
		case 'multiple_drop_down_list':
			champ.values = blank ? [] : raw;
			champ.stringValue = blank || raw.length === 0 ? null : raw.join(', ');
			break;
		case 'linked_drop_down_list':
			champ.primaryValue = blank ? null : raw.primary;
			champ.secondaryValue = blank ? null : raw.secondary;
			champ.stringValue = blank ? null : `${raw.primary} / ${raw.secondary}`;
			break;
		case 'piece_justificative':
			champ.files = blank ? [] : raw;
			champ.nature = 'AUTRE';
			champ.stringValue = blank || raw.length === 0 ? null : raw.map((f) => f.filename).join(', ');
			break;
		case 'repetition':
			champ.rows = (blank ? [] : raw).map((row) => ({
				id: globalId('Row', row.rowId),
				champs: desc.children.map((child) =>
					buildChamp(child, row.values[child.stableId], {
						updatedAt: meta.updatedAt,
						updatedAtText: meta.updatedAtText,
						rowId: row.rowId,
					}),
				),
			}));
			champ.stringValue = null;
			break;
		case 'carte':
			champ.geoAreas = blank ? [] : raw.map((a) => ({ ...a, id: globalId('GeoArea', a.id) }));
			champ.stringValue = champ.geoAreas.length
				? champ.geoAreas
						.map((a) =>
							a.source === 'cadastre'
								? `Parcelle n° ${a.numero} - ${a.surface} m²`
								: 'Une sélection utilisateur',
						)
						.join(', ')
				: null;
			break;
		case 'address':
			if (!blank) {
				champ.address = addressObject(raw);
				champ.commune = { name: raw.cityName, code: raw.cityCode, postalCode: raw.postalCode };
				champ.departement = departementOf(raw.dep);
				champ.stringValue = raw.label;
			}
			break;
		case 'communes': {
			const commune = blank ? null : communeByCode(raw);
			if (commune) {
				champ.commune = { name: commune.name, code: commune.code, postalCode: commune.postalCode };
				champ.departement = departementOf(commune.dep);
				champ.stringValue = `${commune.name} (${commune.postalCode})`;
			}
			break;
		}
		case 'departements':
			champ.departement = blank ? null : departementOf(raw);
			champ.stringValue = champ.departement ? `${raw} – ${champ.departement.name}` : null;
			break;
		case 'regions':
			champ.region = blank ? null : { code: raw, name: C.REGIONS[raw] };
			champ.stringValue = champ.region ? champ.region.name : null;
			break;
		case 'pays': {
			const pays = blank ? null : C.PAYS.find((p) => p.code === raw);
			champ.pays = pays || null;
			champ.stringValue = pays ? pays.name : null;
			break;
		}
		case 'epci': {
			const epci = blank ? null : C.EPCIS.find((e) => e.code === raw);
			champ.epci = epci ? { code: epci.code, name: epci.name } : null;
			champ.departement = epci ? departementOf(epci.dep) : null;
			champ.stringValue = epci ? epci.name : null;
			break;
		}
		case 'siret':
			champ.etablissement = blank ? null : etablissementFor(raw);
			champ.stringValue = blank ? null : raw;
			break;
		case 'rna': {
			const a = blank ? null : associationFor(raw);
			champ.rna = a ? { id: a.rna, title: a.titre, address: null } : null;
			champ.stringValue = a ? `${a.rna} (${a.titre})` : null;
			break;
		}
		case 'rnf':
			champ.rnf = blank
				? null
				: { id: raw, title: 'Fondation pour le patrimoine local', address: null };
			champ.stringValue = blank ? null : raw;
			break;
		case 'civilite':
			champ.civilite = blank ? null : raw;
			champ.stringValue = blank ? null : raw;
			break;
		case 'dossier_link':
			champ.dossierNumber = blank ? null : Number(raw);
			champ.stringValue = blank ? null : String(raw);
			break;
		case 'engagement_juridique':
			champ.engagementJuridique = blank ? null : raw;
			champ.stringValue = blank ? null : `${raw.montantEngage} €`;
			break;
		case 'titre_identite':
			champ.filled = !blank;
			champ.grantType = blank ? 'piece_justificative' : raw.grantType;
			champ.stringValue = null;
			break;
		default:
			champ.stringValue = blank ? null : String(raw);
	}
	return champ;
}

module.exports = {
	rawValue,
	rawValues,
	buildChamp,
	addressFrom,
	addressObject,
	etablissementFor,
	associationFor,
	siretFor,
	fileRef,
	LOREM,
	DAY,
};
