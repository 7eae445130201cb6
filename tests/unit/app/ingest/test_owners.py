import os

from clinfile.app.ingest.owners import has_gone, this_process
from clinfile.db.images import JournalOwner
from tests.unit.app.ingest.other_processes import elsewhere, ended_process, running_process


def test_a_running_process_is_there_and_an_ended_one_is_gone():
    assert not has_gone(this_process())
    with running_process() as other:
        assert not has_gone(other)
    assert has_gone(other)
    assert has_gone(ended_process())


def test_a_process_id_taken_by_a_later_process_names_a_gone_owner():
    me = this_process()
    assert has_gone(JournalOwner(os.getpid(), me.started - 3600, me.host))


def test_an_owner_on_another_computer_is_left_alone_and_an_unrecorded_one_is_gone():
    assert not has_gone(elsewhere())
    assert has_gone(JournalOwner(None, None, None))
