"""What every insight runner shares: date ranges, series selection, property filters, labels."""
