"""Chỉ đạo: the tasks the Government and the Prime Minister assign, and how they are done."""
