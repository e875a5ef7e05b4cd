// Virtual key: see VirtualAuthenticator.swift
