// Attribute ids -> names and syntaxes: OID (from the reply's prefix table) -> attributeSchema facts.
// Starts from the bootstrap table; refine() adds what the schema NC says (all attributes, classes,
// and msDS-IntId ATTRTYPs, which no prefix table maps — [MS-ADTS] §3.1.1.2.6).
import { BOOTSTRAP_ATTRIBUTES, BOOTSTRAP_CLASSES } from './bootstrap.js';

export interface AttributeInfo {
  oid: string;
  name: string;
  /** Last arc of attributeSyntax 2.5.5.x. */
  syntax: number;
  oMSyntax: number;
}

export class Schema {
  private readonly byOid = new Map<string, AttributeInfo>();
  private readonly byName = new Map<string, AttributeInfo>();
  private readonly byIntId = new Map<number, AttributeInfo>();
  private readonly classes = new Map<string, string>();

  static bootstrap(): Schema {
    const s = new Schema();
    for (const [oid, name, syntax, oMSyntax] of BOOTSTRAP_ATTRIBUTES) s.addAttribute({ oid, name, syntax, oMSyntax });
    for (const [oid, name] of BOOTSTRAP_CLASSES) s.classes.set(oid, name);
    return s;
  }

  addAttribute(a: AttributeInfo, intId?: number): void {
    this.byOid.set(a.oid, a);
    this.byName.set(a.name.toLowerCase(), a);
    if (intId !== undefined) this.byIntId.set(intId >>> 0, a);
  }

  addClass(oid: string, name: string): void {
    this.classes.set(oid, name);
  }

  attribute(oid: string): AttributeInfo | undefined {
    return this.byOid.get(oid);
  }
  attributeByName(name: string): AttributeInfo | undefined {
    return this.byName.get(name.toLowerCase());
  }
  attributeByIntId(attrtyp: number): AttributeInfo | undefined {
    return this.byIntId.get(attrtyp >>> 0);
  }
  className(oid: string): string | undefined {
    return this.classes.get(oid);
  }
  get size(): number {
    return this.byOid.size;
  }

  /** Learns from one decoded schema-NC object (attributeSchema or classSchema), values as decodeValue gives them. */
  learn(attrs: Record<string, unknown[]>): void {
    const one = (n: string) => attrs[n]?.[0];
    const cls = (attrs.objectClass ?? []).map(String);
    const name = one('lDAPDisplayName');
    if (typeof name !== 'string') return;
    if (cls.includes('attributeSchema') || cls.includes('1.2.840.113556.1.3.14')) {
      const oid = one('attributeID');
      const syn = one('attributeSyntax');
      const om = one('oMSyntax');
      if (typeof oid !== 'string' || typeof syn !== 'string' || typeof om !== 'number') return;
      const intId = one('msDS-IntId');
      this.addAttribute({ oid, name, syntax: Number(syn.split('.').pop()), oMSyntax: om }, typeof intId === 'number' ? intId : undefined);
    } else if (cls.includes('classSchema') || cls.includes('1.2.840.113556.1.3.13')) {
      const oid = one('governsID');
      if (typeof oid === 'string') this.classes.set(oid, name);
    }
  }
}
