"""Focus issues (焦点问题): the congress's supervision topics, kept as data it edits, and
the data collision (数据碰撞) of its ratings and documents against them."""
