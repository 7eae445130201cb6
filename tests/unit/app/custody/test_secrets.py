import keyring
import pytest
from keyring.backends.fail import Keyring as FailKeyring

from clinfile.app.custody.secrets import KeyringSecretStore, SecretStoreUnavailable


def test_secrets_round_trip_in_the_test_keyring(memory_keyring):
    store = KeyringSecretStore("vault-1")
    assert store.is_available()
    store.set("pacs", "s3cret")
    assert store.get("pacs") == "s3cret"
    assert KeyringSecretStore("vault-2").get("pacs") is None
    store.delete("pacs")
    store.delete("pacs")
    assert store.get("pacs") is None


def test_no_keyring_fails_closed_with_a_plain_message():
    keyring.set_keyring(FailKeyring())
    store = KeyringSecretStore("vault-1")
    assert not store.is_available()
    with pytest.raises(SecretStoreUnavailable, match="cannot remember"):
        store.set("pacs", "s3cret")
    with pytest.raises(SecretStoreUnavailable):
        store.get("pacs")
