"""Team mode's secrets: tokens and client secrets sealed in the shared database.

- :mod:`.keys`: the key's written form (``ldk1:<id>:<base64>``), ``linkdeck keys new``, and the key
  source (``LINKDECK_SECRET_KEY`` or ``[secrets] key_file``, mode 0600).
- :mod:`.sealing`: AES-256-GCM with a random nonce per secret, the row's name as associated data.
- :mod:`.backend`: the vault's backend in team mode (:class:`providers.vault.Vault` chooses it).
- :mod:`.rotation`: ``linkdeck keys rotate``, the protocol that never leaves a worker unable to
  open a secret.

A single user (``[secrets] backend = "keyring"``, the default) never loads any of it.
"""
