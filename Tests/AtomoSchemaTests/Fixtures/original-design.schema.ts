export type Role = 'Admin' | 'Manager' | 'Sales' | 'Support' | 'Viewer'
export interface Company { id: string; name: string; industry?: string }
export interface Contact {
  id: string
  name: string
  email?: string
  company?: Company
  notes: Block[]
}
export type Block =
  | { type: 'Paragraph'; text: string }
  | { type: 'CallLog'; at: Date; summary: string }
export const access = {
  Contact: {
    read: ({ role }: { role: Role }) => role !== 'Viewer' ? ['id','name'] : ['id','name','email','company'],
    update: ({ role }: { role: Role }) => role === 'Admin' || role === 'Manager'
  }
}
