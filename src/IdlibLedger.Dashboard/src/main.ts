import 'leaflet/dist/leaflet.css';
import './page.css';

console.info('dashboard');
