"""Every id on a lab page is unique: a label names one field. (Talk to your model's "Sampling seed" label
pointed at the gpt lab's training seed, whose id it shared, so its own field was never the one a label, a
screen reader or a test reached, and the model always wrote with seed 0.)"""

import re
from collections import Counter

import pytest

from trainer.catalog import LABS


@pytest.mark.django_db
class PageIdTests:
    @pytest.mark.parametrize("slug", sorted(LABS))
    def test_every_id_on_a_lab_page_is_unique(self, client, student, slug):
        client.force_login(student)
        html = client.get(f"/labs/{slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        repeated = [name for name, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1]
        assert repeated == []

    def test_the_sampling_seed_label_names_the_talk_forms_own_field(self, client, student):
        client.force_login(student)
        html = client.get("/labs/gpt/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        label = re.search(r'<label for="([^"]+)">Sampling seed</label>', html)
        assert label and re.search(rf'<input id="{label.group(1)}" name="seed"[^>]*>', html)
        assert label.group(1) != "gpt-seed"  # not the training seed's field
