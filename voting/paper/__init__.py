"""The paper channel: polling cards returned by post and the double-entered counts."""
