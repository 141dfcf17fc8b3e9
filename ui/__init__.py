"""What pages share below layouts/, callbacks/ and pagestate/: the palette and the figures' wording."""
