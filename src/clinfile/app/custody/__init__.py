"""What keeps the vault's contents in custody, below the vault itself.

Encryption and key derivation, the audit trail and its seal, the system's
secret store, and the check that a folder is on a local disk. The vault
builds on these; who may do what with it (sessions, users, roles, key
changes) is in :mod:`clinfile.app.security`, above the vault.
"""
