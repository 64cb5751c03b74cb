// The CRM service: companies, their contacts (with notes made of blocks) and the deals being worked
// on. `crm-server` and `atomo dev` serve this file; edit it while `atomo dev` runs and the GraphQL
// API follows without a restart. The subset of TypeScript it uses: docs/guide/schema-ts.md.

/** The roles a user can hold. */
export type Role = 'Admin' | 'Manager' | 'Sales' | 'Support' | 'Viewer'

/** Where a deal stands. */
export type Stage = 'Lead' | 'Qualified' | 'Proposal' | 'Won' | 'Lost'

/** A company the team works with. */
export interface Company {
  id: string
  /** @minLength 1 @maxLength 200 */
  name: string
  industry?: string
  /** @format url */
  website?: string
}

/** A person at a company. */
export interface Contact {
  id: string
  /** @pii personal @minLength 1 @maxLength 200 */
  name: string
  /** @format email @unique @pii personal */
  email?: string
  company?: Company
  notes: Block[]
}

/** What a contact's notes are made of. */
export type Block = Paragraph | CallLog

/** A paragraph of free text. */
export interface Paragraph {
  type: 'Paragraph'
  /** @text */
  text: string
}

/** A call with the contact: when, what was said. */
export interface CallLog {
  type: 'CallLog'
  at: Date
  summary: string
}

/** A sale in progress: its stage, its amount and the user who owns it (a user id). */
export interface Deal {
  id: string
  /** @minLength 1 */
  title: string
  /** @default 'Lead' */
  stage: Stage
  /** @min 0 */
  amount: number
  owner?: string
  company?: Company
  contact?: Contact
}

export const access = {
  Contact: {
    read: ({ role }: { role: Role }) =>
      role === 'Viewer' ? ['id', 'name'] : ['id', 'name', 'email', 'company', 'notes'],
    create: ({ role }: { role: Role }) => role === 'Admin' || role === 'Manager' || role === 'Sales',
    update: ({ role }: { role: Role }) => role === 'Admin' || role === 'Manager',
    delete: ({ role }: { role: Role }) => role === 'Admin',
  },
}

export const actions = {
  Deal: {
    updated: [{ action: 'notifyOwner', when: ChangedAny(['stage']) }],
  },
}
