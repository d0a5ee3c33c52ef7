"""Attribute resolvers: when (dates), where (places), why (contexts, fields) and how sure
(modality: negation, future, hypothetical)."""
