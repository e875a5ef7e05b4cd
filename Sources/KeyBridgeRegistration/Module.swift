// Combined security-info registration
